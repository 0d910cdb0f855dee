package dev.retrain.jobs.registry;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.retrain.models.promotion.PromotionDecision;

/**
 * A registered model version and its life. The artifact (files, metrics, lineage) never
 * changes; where the version stands ({@link #decision}, {@link #review}, {@link #forced})
 * changes only through the moves below, each of which refuses what its state does not
 * allow ({@link IllegalTransition}) and returns the version after the move with the
 * {@link VersionEvent}s it raised. The champion alias is held by {@link ModelRegistry},
 * which persists a move (compare-and-set on the alias) and nothing else decides one.
 * {@code metrics} is the holdout metrics as JSON.
 */
public record ModelVersion(String pipeline, int version, Instant createdAt, Long runId, Long jobInstanceId, String mode,
		Integer parentVersion, String snapshotId, String configHash, String primaryMetric, Double primaryValue,
		Decision decision, String decisionSummary, String metrics, String path, Review review, String reviewedBy,
		Instant reviewedAt, String reviewReason, boolean forced) {

	public ModelVersion {
		Objects.requireNonNull(pipeline, "pipeline");
		Objects.requireNonNull(decision, "decision");
	}

	/**
	 * The version after a move, what the move raised (in order), and the version as the
	 * move found it ({@code from}; null for a registration): a move is saved only if the
	 * version is still there.
	 */
	public record Transition(ModelVersion version, List<VersionEvent> events, ModelVersion from) {

		public Transition {
			events = List.copyOf(events);
		}

		Transition(ModelVersion version, List<VersionEvent> events) {
			this(version, events, null);
		}

		/** The champion move this transition asks for, if any. */
		public ChampionChanged championMove() {
			return this.events.stream()
				.filter(ChampionChanged.class::isInstance)
				.map(ChampionChanged.class::cast)
				.findFirst()
				.orElse(null);
		}

	}

	/** What a run knows when it registers its candidate. */
	public record Candidate(String pipeline, int version, Instant createdAt, long runId, long jobInstanceId,
			String mode, Integer parentVersion, String snapshotId, String configHash, String primaryMetric,
			Double primaryValue, String metrics, String path) {
	}

	/**
	 * A run registers its candidate. Where it stands follows from the policy's verdict: a
	 * winner becomes {@link Decision#CONFLICT} if the champion moved since evaluation
	 * ({@code championSeen} is not {@code championNow}), {@link Decision#PENDING} if the
	 * pipeline wants approval, and otherwise stays {@link Decision#PROMOTE} and asks for
	 * the champion alias ({@link ChampionMove#AUTOMATIC}).
	 */
	public static Transition register(Candidate c, PromotionDecision verdict, Integer championSeen, Integer championNow,
			boolean approvalRequired) {
		Decision decision = Decision.of(verdict.outcome());
		String summary = verdict.summary();
		boolean stale = !Objects.equals(championSeen, championNow);
		if (decision == Decision.PROMOTE && stale) {
			decision = Decision.CONFLICT;
			summary = conflictSummary(championSeen, championNow);
		}
		else if (decision == Decision.PROMOTE && approvalRequired) {
			decision = Decision.PENDING;
			summary = "waiting for approval: " + verdict.summary();
		}
		ModelVersion v = new ModelVersion(c.pipeline(), c.version(), c.createdAt(), c.runId(), c.jobInstanceId(),
				c.mode(), c.parentVersion(), c.snapshotId(), c.configHash(), c.primaryMetric(), c.primaryValue(),
				decision, summary, c.metrics(), c.path(), null, null, null, null, false);
		VersionRegistered registered = new VersionRegistered(v.pipeline, v.version, decision, summary, c.runId());
		if (decision == Decision.CONFLICT) {
			return new Transition(v, List.of(registered,
					new PromotionConflicted(v.pipeline, v.version, championSeen, championNow, c.runId())));
		}
		if (decision == Decision.PROMOTE) {
			return new Transition(v, List.of(registered, new ChampionChanged(v.pipeline, championSeen, v.version,
					"run " + c.runId(), ChampionMove.AUTOMATIC, verdict.summary(), c.runId())));
		}
		return new Transition(v, List.of(registered));
	}

	/**
	 * A person makes this version champion in place of {@code expectedChampion}. A
	 * version that failed its policy needs {@code force}; the champion itself cannot be
	 * promoted.
	 */
	public Transition promote(Integer champion, Integer expectedChampion, boolean force, String actor, String reason,
			Instant at) {
		requireReason(reason);
		requireNotChampion(champion);
		boolean failed = !passedPolicy();
		if (failed && !force) {
			throw new IllegalTransition(name() + " failed its promotion policy (" + this.decision
					+ ((this.review == Review.REJECTED) ? ", rejected by " + this.reviewedBy : "") + ": "
					+ this.decisionSummary + "); promoting it anyway is a forced promotion");
		}
		ChampionMove move = failed ? ChampionMove.FORCED_PROMOTION : ChampionMove.PROMOTION;
		// promoting a version that waits for approval approves it: it is not left pending
		// as champion
		boolean approves = awaitsApproval();
		ModelVersion after = with(this.decision, this.decisionSummary, approves ? Review.APPROVED : this.review,
				approves ? actor : this.reviewedBy, approves ? at : this.reviewedAt,
				approves ? reason : this.reviewReason, this.forced || failed);
		return new Transition(after, List.of(new ChampionChanged(this.pipeline, expectedChampion, this.version, actor,
				move, (failed ? "forced promotion: " : "manual promotion: ") + reason, null)), this);
	}

	/**
	 * This version, scored in shadow beside the champion, beat it on real labels over the
	 * periods {@code promotion.shadow} asks for ({@code evidence} says which, by how
	 * much): it becomes champion in place of {@code expectedChampion}. The realised
	 * labels are its evidence, so a version its run's policy rejected on the holdout may
	 * move; refused: the champion itself, a version a person rejected, one waiting for a
	 * person's approval, and any move of a pipeline that requires approval
	 * ({@code approvalRequired}: a person decides every champion there).
	 */
	public Transition promoteFromShadow(Integer champion, Integer expectedChampion, boolean approvalRequired,
			String actor, String evidence) {
		requireReason(evidence);
		requireNotChampion(champion);
		if (this.review == Review.REJECTED) {
			throw new IllegalTransition(name() + " was rejected by " + this.reviewedBy + " (" + this.reviewReason
					+ "): realised wins do not overrule a person");
		}
		if (awaitsApproval()) {
			throw new IllegalTransition(name() + " waits for a person's approval: realised wins do not approve it");
		}
		if (approvalRequired) {
			throw new IllegalTransition("pipeline '" + this.pipeline
					+ "' requires approval (promotion.approval: required): a person makes " + name() + " champion");
		}
		return new Transition(this, List.of(new ChampionChanged(this.pipeline, expectedChampion, this.version, actor,
				ChampionMove.SHADOW_PROMOTION, "shadow promotion: " + evidence, null)), this);
	}

	/** A person makes the previous champion (this version) the champion again. */
	public Transition rollback(Integer champion, Integer expectedChampion, String actor, String reason) {
		requireReason(reason);
		requireNotChampion(champion);
		return new Transition(this, List.of(new ChampionChanged(this.pipeline, expectedChampion, this.version, actor,
				ChampionMove.ROLLBACK, "rollback: " + reason, null)), this);
	}

	/**
	 * A person approves a version waiting for approval: it becomes champion in place of
	 * {@code expectedChampion}.
	 */
	public Transition approve(Integer champion, Integer expectedChampion, String actor, String reason, Instant at) {
		requireReason(reason);
		requireAwaitingApproval();
		requireNotChampion(champion);
		return new Transition(
				with(this.decision, this.decisionSummary, Review.APPROVED, actor, at, reason, this.forced),
				List.of(new VersionReviewed(this.pipeline, this.version, Review.APPROVED, actor, reason),
						new ChampionChanged(this.pipeline, expectedChampion, this.version, actor, ChampionMove.APPROVAL,
								"approved: " + reason, null)),
				this);
	}

	/** A person turns down a version waiting for approval; it stays registered. */
	public Transition reject(Integer champion, String actor, String reason, Instant at) {
		requireReason(reason);
		requireAwaitingApproval();
		requireNotChampion(champion);
		return new Transition(
				with(this.decision, this.decisionSummary, Review.REJECTED, actor, at, reason, this.forced),
				List.of(new VersionReviewed(this.pipeline, this.version, Review.REJECTED, actor, reason)), this);
	}

	/**
	 * The automatic promotion of this version lost its compare-and-set: the champion is
	 * {@code now}, not {@code seen}.
	 */
	public Transition conflict(Integer seen, Integer now) {
		if (this.decision != Decision.PROMOTE) {
			throw new IllegalTransition(name() + " did not win its promotion (decision " + this.decision + ")");
		}
		return new Transition(
				with(Decision.CONFLICT, conflictSummary(seen, now), this.review, this.reviewedBy, this.reviewedAt,
						this.reviewReason, this.forced),
				List.of(new PromotionConflicted(this.pipeline, this.version, seen, now, this.runId)), this);
	}

	/**
	 * Whether it may become champion without force: its policy passed it, and no reviewer
	 * turned it down.
	 */
	public boolean passedPolicy() {
		return this.decision.passedPolicy() && this.review != Review.REJECTED;
	}

	/**
	 * Whether the version passed its policy and waits for a person's approval or
	 * rejection.
	 */
	public boolean awaitsApproval() {
		return this.decision == Decision.PENDING && this.review == null;
	}

	private void requireNotChampion(Integer champion) {
		if (Objects.equals(champion, this.version)) {
			throw new IllegalTransition(name() + " is already the champion");
		}
	}

	private void requireAwaitingApproval() {
		if (!awaitsApproval()) {
			throw new IllegalTransition(name() + " is not waiting for approval (decision " + this.decision
					+ ((this.review != null) ? ", " + this.review.name().toLowerCase() + " by " + this.reviewedBy : "")
					+ ")");
		}
	}

	private ModelVersion with(Decision decision, String summary, Review review, String reviewedBy, Instant reviewedAt,
			String reviewReason, boolean forced) {
		return new ModelVersion(this.pipeline, this.version, this.createdAt, this.runId, this.jobInstanceId, this.mode,
				this.parentVersion, this.snapshotId, this.configHash, this.primaryMetric, this.primaryValue, decision,
				summary, this.metrics, this.path, review, reviewedBy, reviewedAt, reviewReason, forced);
	}

	private String name() {
		return "v" + this.version + " of " + this.pipeline;
	}

	private static void requireReason(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("a reason is required");
		}
	}

	static String conflictSummary(Integer seen, Integer now) {
		return "not promoted: the champion changed from " + describe(seen) + " to " + describe(now)
				+ " after this candidate was evaluated";
	}

	static String describe(Integer version) {
		return (version != null) ? "v" + version : "none";
	}

}
