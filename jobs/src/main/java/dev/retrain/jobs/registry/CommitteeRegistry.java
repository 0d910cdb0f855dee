package dev.retrain.jobs.registry;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.models.committee.CommitteeManifest;
import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.committee.CommitteeWeights;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ModelStore;

/**
 * The committee champion of each pipeline that has one, as a registry object (tables
 * {@code committee} and {@code committee_update}): its members (the last K promoted
 * versions, oldest first) and their weights, and every change as a row of history with
 * its revision: a member entering ({@code ADMIT}, the oldest leaving past K) or the
 * weights moved by labels ({@code LABELS}: which days, each member's loss), or a member
 * leaving on a rollback away from it ({@code RETIRE}). Each change is a compare-and-set
 * on the revision, so two nodes never lose one another's update (the loser reads again
 * and applies its change to the newer state).
 * <p>
 * Each change is also, in the same transaction, a row of the audit log
 * ({@code COMMITTEE_ADMIT}, {@code COMMITTEE_RETIRE}, {@code COMMITTEE_WEIGHTS}: who or
 * what, the versions that entered or left, the labels' period, the revision), and the
 * committee the champion serves is written into the model store beside the alias pointer
 * ({@link ModelStore#writeCommittee}, the download's {@code committee.json})
 * <em>before</em> the transaction commits: a store that cannot be written rolls the
 * change back (nothing changed, no audit row, the caller gets the error), so the database
 * is never ahead of the store. The one window left is the commit itself failing after the
 * store was written: the store then holds a revision the database does not, which is
 * rewritten from the database at once (best effort), by the next change, and at every
 * node's start ({@link #syncStore}).
 */
public class CommitteeRegistry {

	private static final Logger log = LoggerFactory.getLogger(CommitteeRegistry.class);

	/** The audit action of a member entering (and the oldest leaving past K). */
	public static final String AUDIT_ADMIT = "COMMITTEE_ADMIT";

	/** The audit action of a member leaving on a rollback away from it. */
	public static final String AUDIT_RETIRE = "COMMITTEE_RETIRE";

	/** The audit action of labels moving the weights. */
	public static final String AUDIT_WEIGHTS = "COMMITTEE_WEIGHTS";

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

	private final AuditLog audit;

	private final ModelStore store;

	/**
	 * Each change runs in a transaction of its own ({@code REQUIRES_NEW}): it is called
	 * after a champion move has committed, where the moved transaction's resources may
	 * still be bound, and from a label join's step. Each change is audited in
	 * {@code audit} and written into {@code store}.
	 */
	public CommitteeRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, AuditLog audit, ModelStore store) {
		this.jdbc = jdbc;
		this.tx = new TransactionTemplate(tx.getTransactionManager());
		this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
		this.audit = audit;
		this.store = store;
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
		return admit(pipeline, spec, version, "system", source);
	}

	/** {@link #admit}, audited as {@code actor}'s. */
	public State admit(String pipeline, CommitteeSpec spec, int version, String actor, String source) {
		return change(pipeline, spec, w -> w.withSpec(spec).admit(version), "ADMIT", actor, source, null, null, null);
	}

	/**
	 * {@code version} leaves the pipeline's committee ({@code RETIRE}: the champion was
	 * rolled back away from it); the others are normalised again. Nothing changes when
	 * the pipeline has no committee or the version is not a member.
	 */
	public Optional<State> retire(String pipeline, int version, String source) {
		return retire(pipeline, version, "system", source);
	}

	/** {@link #retire}, audited as {@code actor}'s. */
	public Optional<State> retire(String pipeline, int version, String actor, String source) {
		Optional<State> now = current(pipeline);
		if (now.isEmpty() || !now.get().weights().versions().contains(version)) {
			return Optional.empty();
		}
		return Optional.of(change(pipeline, now.get().weights().spec(), w -> w.without(version), "RETIRE", actor,
				source, null, null, null));
	}

	/**
	 * The labels of {@code labelsFrom..labelsTo} arrived: each member's loss on them
	 * ({@code losses}, one per member) moves the weights. Refused when the pipeline has
	 * no committee.
	 */
	public State update(String pipeline, Map<Integer, Double> losses, String source, LocalDate labelsFrom,
			LocalDate labelsTo) {
		return update(pipeline, losses, "system", source, labelsFrom, labelsTo);
	}

	/**
	 * {@link #update}, audited as {@code actor}'s ({@code source} says which: a label
	 * join, a drift check, a shadow's judgement).
	 */
	public State update(String pipeline, Map<Integer, Double> losses, String actor, String source, LocalDate labelsFrom,
			LocalDate labelsTo) {
		State now = current(pipeline)
			.orElseThrow(() -> new IllegalStateException(pipeline + " has no committee to weigh"));
		return change(pipeline, now.weights().spec(), w -> w.update(losses), "LABELS", actor, source, labelsFrom,
				labelsTo, losses);
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

	private State change(String pipeline, CommitteeSpec spec, Step step, String kind, String actor, String source,
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
			State after = new State(pipeline, next, revision, at);
			Boolean done;
			boolean[] written = { false };
			try {
				done = this.tx.execute(status -> {
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
								next.spec().size(), next.spec().weighting().name(), next.spec().eta(),
								next.spec().share(), Json.MAPPER.writeValueAsString(next.members()), revision,
								Timestamp.from(at), pipeline, revision - 1);
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
					this.audit.record(actor, auditAction(kind), pipeline, auditTarget(kind, before, next),
							auditDetails(kind, source, before, after, labelsFrom, labelsTo, losses));
					// last, with the row locked: the store never names a revision another
					// node's change replaced, and a store that cannot be written rolls
					// this change back
					writeStore(after);
					written[0] = true;
					return true;
				});
			}
			catch (RuntimeException ex) {
				if (written[0]) {
					// the store was written but the commit failed (or its answer was
					// lost): the store is written again from what committed
					restoreStore(pipeline);
				}
				throw ex;
			}
			if (Boolean.TRUE.equals(done)) {
				return after;
			}
		}
		throw new IllegalStateException(
				"the committee of " + pipeline + " changed under " + ATTEMPTS + " attempts in a row; try again");
	}

	private static String auditAction(String kind) {
		return switch (kind) {
			case "ADMIT" -> AUDIT_ADMIT;
			case "RETIRE" -> AUDIT_RETIRE;
			default -> AUDIT_WEIGHTS;
		};
	}

	/**
	 * The version that entered ({@code ADMIT}) or left ({@code RETIRE}), else
	 * {@code committee}.
	 */
	private static String auditTarget(String kind, Optional<State> before, CommitteeWeights next) {
		List<Integer> was = before.map(s -> s.weights().versions()).orElse(List.of());
		if ("ADMIT".equals(kind)) {
			return next.versions()
				.stream()
				.filter(v -> !was.contains(v))
				.findFirst()
				.map(v -> "v" + v)
				.orElse("committee");
		}
		if ("RETIRE".equals(kind)) {
			return was.stream()
				.filter(v -> !next.versions().contains(v))
				.findFirst()
				.map(v -> "v" + v)
				.orElse("committee");
		}
		return "committee";
	}

	/**
	 * What changed, in words: the revision, who entered and who left, the labels' period
	 * and each member's loss, the weights after, and why ({@code source}).
	 */
	private static String auditDetails(String kind, String source, Optional<State> before, State after,
			LocalDate labelsFrom, LocalDate labelsTo, Map<Integer, Double> losses) {
		List<Integer> was = before.map(s -> s.weights().versions()).orElse(List.of());
		List<Integer> now = after.weights().versions();
		StringBuilder d = new StringBuilder("revision ").append(after.revision()).append(": ");
		List<String> parts = new ArrayList<>();
		List<Integer> entered = now.stream().filter(v -> !was.contains(v)).toList();
		List<Integer> left = was.stream().filter(v -> !now.contains(v)).toList();
		if (!entered.isEmpty()) {
			parts.add(versions(entered) + " entered");
		}
		if (!left.isEmpty()) {
			parts.add(versions(left) + " left"
					+ (("ADMIT".equals(kind)) ? " (past size " + after.weights().spec().size() + ")" : ""));
		}
		if (before.isPresent() && !before.get().weights().spec().equals(after.weights().spec())) {
			parts.add("spec now " + after.weights().spec().describe());
		}
		if ("LABELS".equals(kind)) {
			String period = (labelsFrom == null) ? "labels" : "labels of " + labelsFrom
					+ ((labelsTo != null && !labelsTo.equals(labelsFrom)) ? ".." + labelsTo : "");
			// the losses in the members' order
			Map<Integer, Double> ordered = new LinkedHashMap<>();
			was.stream().filter(losses::containsKey).forEach(v -> ordered.put(v, losses.get(v)));
			ordered.putAll(losses);
			parts.add(period + " moved the weights, losses " + weights(ordered));
		}
		d.append(String.join(", ", parts));
		d.append("; members ").append(versions(was)).append(" -> ").append(versions(now));
		d.append(", weights ").append(weights(after.byVersion()));
		d.append(" (").append(source).append(")");
		return d.toString();
	}

	private static String versions(List<Integer> versions) {
		return "[" + String.join(", ", versions.stream().map(v -> "v" + v).toList()) + "]";
	}

	private static String weights(Map<Integer, Double> byVersion) {
		if (byVersion == null) {
			return "{}";
		}
		List<String> out = new ArrayList<>();
		byVersion.forEach((v, w) -> out.add("v" + v + "=" + String.format(Locale.ROOT, "%.4f", w)));
		return "{" + String.join(", ", out) + "}";
	}

	/**
	 * Writes the committee the champion serves into the store, beside the alias pointer:
	 * the manifest of the download ({@link #served}, with the version the alias names
	 * now), or no file when the committee has no member left.
	 */
	private void writeStore(State state) {
		if (this.store == null) {
			return;
		}
		if (state.weights().isEmpty()) {
			this.store.deleteCommittee(state.pipeline());
			return;
		}
		this.store.writeCommittee(state.pipeline(), manifest(state).json());
	}

	private CommitteeManifest manifest(State state) {
		List<Integer> versions = state.weights().versions();
		int champion = this.jdbc
			.queryForList("SELECT version FROM model_alias WHERE pipeline = ? AND alias = ?", Integer.class,
					state.pipeline(), ModelRegistry.CHAMPION)
			.stream()
			.findFirst()
			.orElse(versions.get(versions.size() - 1));
		return new CommitteeManifest(state.pipeline(), champion, state.revision(), state.weights().spec(),
				state.weights().members());
	}

	private void restoreStore(String pipeline) {
		try {
			Optional<State> now = current(pipeline);
			if (now.isPresent()) {
				writeStore(now.get());
			}
			else if (this.store != null) {
				this.store.deleteCommittee(pipeline);
			}
		}
		catch (RuntimeException ex) {
			log.warn("the committee of {} in the store may be ahead of the registry after a commit that failed "
					+ "(rewritten by its next change and at a node's start): {}", pipeline, ex.getMessage());
		}
	}

	/**
	 * Makes the store's committee of {@code pipeline} the registry's: written when its
	 * revision is not the registry's (a node that died between writing the store and
	 * committing), removed when {@code served} is false (the pipeline file no longer has
	 * {@code promotion.committee}: the alias's version serves alone, as from the API).
	 * Returns whether the store was changed.
	 */
	public boolean syncStore(String pipeline, boolean served) {
		if (this.store == null) {
			return false;
		}
		Optional<State> registered = current(pipeline);
		if (registered.isEmpty()) {
			// no committee ever: nothing of it in the store (a first change that did not
			// commit removed what it wrote)
			return false;
		}
		Optional<byte[]> inStore = this.store.readCommittee(pipeline);
		Optional<State> now = registered.filter(s -> served && !s.weights().isEmpty());
		if (now.isEmpty()) {
			if (inStore.isPresent()) {
				this.store.deleteCommittee(pipeline);
				return true;
			}
			return false;
		}
		Long revision = inStore.map(b -> {
			try {
				return Json.MAPPER.readValue(b, CommitteeManifest.class).revision();
			}
			catch (RuntimeException ex) {
				return null;
			}
		}).orElse(null);
		if (revision != null && revision == now.get().revision()) {
			return false;
		}
		writeStore(now.get());
		return true;
	}

	/** The pipelines that have a committee in the registry. */
	public List<String> pipelines() {
		return this.jdbc.queryForList("SELECT pipeline FROM committee ORDER BY pipeline", String.class);
	}

	private static String truncate(String s) {
		return (s.length() <= 500) ? s : s.substring(0, 497) + "...";
	}

}
