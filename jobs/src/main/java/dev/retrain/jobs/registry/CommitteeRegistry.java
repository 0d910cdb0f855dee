package dev.retrain.jobs.registry;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;

import dev.retrain.models.committee.CommitteeManifest;
import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.committee.CommitteeWeights;
import dev.retrain.models.json.Json;

/**
 * The committee champion of each pipeline that has one, as a registry object (tables
 * {@code committee} and {@code committee_update}): its members (the last K promoted
 * versions, oldest first) and their weights, and every change as a row of history with
 * its revision: a member entering ({@code ADMIT}, the oldest leaving past K) or the
 * weights moved by labels ({@code LABELS}: which days, each member's loss), or a member
 * leaving on a rollback away from it ({@code RETIRE}). Each change is a compare-and-set
 * on the revision, so two nodes never lose one another's update (the loser reads again
 * and applies its change to the newer state).
 */
public class CommitteeRegistry {

	/** How many times a change is tried against a revision another node moved. */
	private static final int ATTEMPTS = 5;

	private static final TypeReference<List<CommitteeWeights.Member>> MEMBERS = new TypeReference<>() {
	};

	private static final TypeReference<Map<Integer, Double>> BY_VERSION = new TypeReference<>() {
	};

	/** A pipeline's committee now. */
	public record State(String pipeline, CommitteeWeights weights, long revision, Instant updatedAt) {

		/** The members' weights by version, oldest first. */
		public Map<Integer, Double> byVersion() {
			return byVersion(this.weights);
		}

		static Map<Integer, Double> byVersion(CommitteeWeights w) {
			Map<Integer, Double> out = new LinkedHashMap<>();
			w.members().forEach(m -> out.put(m.version(), m.weight()));
			return out;
		}

	}

	/**
	 * One change: {@code kind} {@code ADMIT} (a member entered; {@code source} says which
	 * and why) or {@code LABELS} (the labels of {@code labelsFrom..labelsTo} moved the
	 * weights by each member's {@code losses}); {@code weights} are those after it.
	 */
	public record Update(long revision, Instant at, String kind, String source, LocalDate labelsFrom,
			LocalDate labelsTo, Map<Integer, Double> losses, Map<Integer, Double> weights) {
	}

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Clock clock;

	/**
	 * Each change runs in a transaction of its own ({@code REQUIRES_NEW}): it is called
	 * after a champion move has committed, where the moved transaction's resources may
	 * still be bound, and from a label join's step.
	 */
	public CommitteeRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		this.jdbc = jdbc;
		this.tx = new TransactionTemplate(tx.getTransactionManager());
		this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
	}

	/** The pipeline's committee, empty when it has none yet. */
	public Optional<State> current(String pipeline) {
		return this.jdbc.query(
				"SELECT size, weighting, eta, share, members, revision, updated_at FROM committee WHERE pipeline = ?",
				(rs, i) -> new State(pipeline, new CommitteeWeights(
						new CommitteeSpec(rs.getInt("size"), CommitteeSpec.Weighting.valueOf(rs.getString("weighting")),
								rs.getDouble("eta"), rs.getDouble("share")),
						Json.MAPPER.readValue(rs.getString("members"), MEMBERS)), rs.getLong("revision"),
						rs.getTimestamp("updated_at").toInstant()),
				pipeline)
			.stream()
			.findFirst();
	}

	/**
	 * {@code version} enters the pipeline's committee under {@code spec} (the committee
	 * is created with it when there is none; a changed spec applies first,
	 * {@link CommitteeWeights#withSpec}); a member already in it changes nothing.
	 */
	public State admit(String pipeline, CommitteeSpec spec, int version, String source) {
		return change(pipeline, spec, w -> w.withSpec(spec).admit(version), "ADMIT", source, null, null, null);
	}

	/**
	 * {@code version} leaves the pipeline's committee ({@code RETIRE}: the champion was
	 * rolled back away from it); the others are normalised again. Nothing changes when
	 * the pipeline has no committee or the version is not a member.
	 */
	public Optional<State> retire(String pipeline, int version, String source) {
		Optional<State> now = current(pipeline);
		if (now.isEmpty() || !now.get().weights().versions().contains(version)) {
			return Optional.empty();
		}
		return Optional.of(change(pipeline, now.get().weights().spec(), w -> w.without(version), "RETIRE", source, null,
				null, null));
	}

	/**
	 * The labels of {@code labelsFrom..labelsTo} arrived: each member's loss on them
	 * ({@code losses}, one per member) moves the weights. Refused when the pipeline has
	 * no committee.
	 */
	public State update(String pipeline, Map<Integer, Double> losses, String source, LocalDate labelsFrom,
			LocalDate labelsTo) {
		State now = current(pipeline)
			.orElseThrow(() -> new IllegalStateException(pipeline + " has no committee to weigh"));
		return change(pipeline, now.weights().spec(), w -> w.update(losses), "LABELS", source, labelsFrom, labelsTo,
				losses);
	}

	/** Every change of the pipeline's committee, oldest first. */
	public List<Update> history(String pipeline) {
		return history(pipeline, Integer.MAX_VALUE);
	}

	/**
	 * The committee as the {@code champion} download and the {@code Champion} client
	 * serve it: its members and weights now, with {@code champion} the version the alias
	 * names. Empty when the pipeline has no committee or no member yet.
	 */
	public Optional<CommitteeManifest> served(String pipeline, int champion) {
		return current(pipeline).filter(s -> !s.weights().isEmpty())
			.map(s -> new CommitteeManifest(pipeline, champion, s.revision(), s.weights().spec(),
					s.weights().members()));
	}

	/** The newest {@code limit} changes of the pipeline's committee, oldest first. */
	public List<Update> history(String pipeline, int limit) {
		List<Update> newestFirst = this.jdbc.query(
				"SELECT revision, updated_at, kind, source, labels_from, labels_to, losses, weights FROM committee_update "
						+ "WHERE pipeline = ? ORDER BY revision DESC LIMIT ?",
				(rs, i) -> new Update(rs.getLong("revision"), rs.getTimestamp("updated_at").toInstant(),
						rs.getString("kind"), rs.getString("source"), rs.getObject("labels_from", LocalDate.class),
						rs.getObject("labels_to", LocalDate.class), (rs.getString("losses") != null)
								? Json.MAPPER.readValue(rs.getString("losses"), BY_VERSION) : null,
						Json.MAPPER.readValue(rs.getString("weights"), BY_VERSION)),
				pipeline, limit);
		List<Update> out = new ArrayList<>(newestFirst);
		Collections.reverse(out);
		return out;
	}

	/** The versions retention must keep: the committee's members. */
	public List<Integer> members(String pipeline) {
		return current(pipeline).map(s -> s.weights().versions()).orElse(List.of());
	}

	private interface Step {

		CommitteeWeights apply(CommitteeWeights weights);

	}

	private State change(String pipeline, CommitteeSpec spec, Step step, String kind, String source,
			LocalDate labelsFrom, LocalDate labelsTo, Map<Integer, Double> losses) {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			Optional<State> before = current(pipeline);
			CommitteeWeights next = step.apply(before.map(State::weights).orElse(CommitteeWeights.empty(spec)));
			if ("ADMIT".equals(kind) && before.isPresent() && next.equals(before.get().weights())) {
				// a member already in it: nothing changed, nothing to record
				return before.get();
			}
			long revision = before.map(State::revision).orElse(0L) + 1;
			Instant at = this.clock.instant();
			Boolean done = this.tx.execute(status -> {
				int rows;
				if (before.isEmpty()) {
					rows = this.jdbc.update(
							"INSERT INTO committee (pipeline, size, weighting, eta, share, members, revision, "
									+ "updated_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
									+ "(SELECT 1 FROM committee WHERE pipeline = ?)",
							pipeline, next.spec().size(), next.spec().weighting().name(), next.spec().eta(),
							next.spec().share(), Json.MAPPER.writeValueAsString(next.members()), revision,
							Timestamp.from(at), pipeline);
				}
				else {
					rows = this.jdbc.update(
							"UPDATE committee SET size = ?, weighting = ?, eta = ?, share = ?, members = ?, "
									+ "revision = ?, updated_at = ? WHERE pipeline = ? AND revision = ?",
							next.spec().size(), next.spec().weighting().name(), next.spec().eta(), next.spec().share(),
							Json.MAPPER.writeValueAsString(next.members()), revision, Timestamp.from(at), pipeline,
							revision - 1);
				}
				if (rows != 1) {
					return false;
				}
				this.jdbc.update(
						"INSERT INTO committee_update (pipeline, revision, updated_at, kind, source, labels_from, "
								+ "labels_to, losses, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
						pipeline, revision, Timestamp.from(at), kind, truncate(source), labelsFrom, labelsTo,
						(losses != null) ? Json.MAPPER.writeValueAsString(new LinkedHashMap<>(losses)) : null,
						Json.MAPPER.writeValueAsString(State.byVersion(next)));
				return true;
			});
			if (Boolean.TRUE.equals(done)) {
				return new State(pipeline, next, revision, at);
			}
		}
		throw new IllegalStateException(
				"the committee of " + pipeline + " changed under " + ATTEMPTS + " attempts in a row; try again");
	}

	private static String truncate(String s) {
		return (s.length() <= 500) ? s : s.substring(0, 497) + "...";
	}

}
