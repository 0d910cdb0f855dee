package dev.retrain.jobs.drift;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.drift.DriftReport.FeatureDrift;
import dev.retrain.jobs.drift.DriftReport.PerformanceDrift;
import dev.retrain.jobs.drift.DriftReport.PredictionDrift;
import dev.retrain.jobs.drift.DriftReport.Status;
import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.scoring.ProductionLabels;
import dev.retrain.models.committee.CommitteeVote;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.Calibration;
import dev.retrain.models.drift.CategoricalDrift;
import dev.retrain.models.drift.Histogram;
import dev.retrain.models.drift.NumericDrift;
import dev.retrain.models.drift.PerformanceDrop;
import dev.retrain.models.drift.PerformanceEstimate;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.drift.ScoreDrift;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.storage.Location;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

/**
 * Compares a current window of a pipeline's data with the champion's reference sample:
 * per feature (numeric: Kolmogorov-Smirnov, PSI on reference deciles, normalised
 * Wasserstein; categorical: Jensen-Shannon, chi-square, unseen-category rate), the
 * champion's scores and confidence, and, where the current rows carry labels, its
 * performance. Thresholds are calibrated on the reference at the current batch size (see
 * {@link Calibration}), at a family-wise rate {@code alpha} split over the statistics
 * tested (Bonferroni), with an effect-size floor. A positive decision becomes a drift
 * event. The tests themselves are in models ({@link NumericDrift},
 * {@link CategoricalDrift}, {@link ScoreDrift}, {@link PerformanceDrop}); this class
 * gathers their inputs and turns their results into a {@link DriftReport}.
 */
public class DriftChecker {

	private static final Logger log = LoggerFactory.getLogger(DriftChecker.class);

	static final int MIN_BLOCKS = 20;

	private final PipelineCatalog catalog;

	private final RetrainProperties props;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final DriftReports reports;

	private final DriftEvents events;

	private final Clock clock;

	private final ApplicationEventPublisher publisher;

	/**
	 * The committees whose vote a check scores with, where the pipeline has
	 * {@code promotion.committee}; null: the champion alone (a backtest's sandbox, whose
	 * replay weighs its committee itself).
	 */
	private final CommitteeRegistry committees;

	/** No data in the window: the reason as anyone may read it (no server paths). */
	private final FailureText text;

	DriftChecker(PipelineCatalog catalog, RetrainProperties props, ModelRegistry registry, ModelStore store,
			DriftReports reports, DriftEvents events, Clock clock, ApplicationEventPublisher publisher,
			CommitteeRegistry committees) {
		this.committees = committees;
		this.publisher = publisher;
		this.catalog = catalog;
		this.props = props;
		this.registry = registry;
		this.store = store;
		this.reports = reports;
		this.events = events;
		this.clock = clock;
		this.text = new FailureText(props);
	}

	/**
	 * Checks the window ending at {@code asOf}, stores the report and, on drift, submits
	 * a drift event.
	 */
	public DriftReport check(String pipeline, LocalDate asOf, String trigger) {
		return check(pipeline, asOf, asOf, trigger);
	}

	/**
	 * The same, with labels known only up to {@code labelsUntil} (a backtest's label
	 * delay): the performance part scores the window's labelled rows of the days up to
	 * it, and a drift event's retrain runs for it (its window ends there).
	 */
	public DriftReport check(String pipeline, LocalDate asOf, LocalDate labelsUntil, String trigger) {
		PipelineData.plausible("asOf", asOf);
		PipelineDefinition def = this.catalog.get(pipeline);
		DriftReport report = evaluate(def, asOf, labelsUntil, trigger);
		long id = this.reports.save(report);
		String outcome = null;
		if (report.status() == Status.DRIFT) {
			DriftEvent e = this.events.submit(new DriftEvents.Submission(pipeline, "drift-check", "report-" + id,
					"warning", "drift report " + id + ": " + report.summary(), labelsUntil));
			outcome = e.outcome() + ": " + e.reason();
			this.reports.outcome(id, outcome);
			this.publisher.publishEvent(new DriftDetected(pipeline, id, report.summary(), outcome));
		}
		log.info("drift check {} of {} for {}: {}", id, pipeline, asOf, report.summary());
		return report.withId(id, outcome);
	}

	DriftReport evaluate(PipelineDefinition def, LocalDate asOf, String trigger) {
		return evaluate(def, asOf, asOf, trigger);
	}

	DriftReport evaluate(PipelineDefinition def, LocalDate asOf, LocalDate labelsUntil, String trigger) {
		DriftPolicy policy = def.drift();
		LocalDate from = asOf.minusDays(policy.currentDays() - 1L);
		Optional<Integer> champion = this.registry.champion(def.name());
		if (champion.isEmpty()) {
			return skipped(def, asOf, trigger, null, from, Status.NO_CHAMPION,
					"no champion yet: nothing to compare against");
		}
		Path refFile = this.store.versionDir(def.name(), champion.get()).resolve(ReferenceSample.FILE);
		if (!Files.exists(refFile)) {
			return skipped(def, asOf, trigger, champion.get(), from, Status.NO_DATA,
					"champion v" + champion.get() + " has no reference sample");
		}
		List<ModelArtifact> others = new ArrayList<>();
		try (ModelArtifact artifact = this.store.load(def.name(), champion.get())) {
			ArtifactMetadata meta = artifact.metadata();
			Scorer scorer = scorer(def, artifact, others);
			List<ColumnRequest> columns = new ArrayList<>();
			for (FeatureEncoding e : meta.inputs()) {
				columns.add(e.type() == FeatureSpec.FeatureType.NUMERIC ? ColumnRequest.numeric(e.name())
						: ColumnRequest.string(e.name()));
			}
			boolean regression = meta.label().task() == Task.REGRESSION;
			columns.add(new ColumnRequest(meta.label().column(),
					regression ? ColumnRequest.Kind.NUMERIC : ColumnRequest.Kind.STRING, false));
			Table current;
			try {
				Location root = this.props.resolveData(def.dataPath());
				List<DataFile> files = new PartitionedDirectory(root).resolve(from, asOf);
				current = new ParquetTableReader(root).read(files, columns);
				// derived features: from the days before each row's, with only the labels
				// known at the check (those up to labelsUntil)
				if (meta.derived() != null) {
					LocalDate known = (labelsUntil != null) ? labelsUntil : asOf;
					current = artifact.withDerived(current,
							artifact
								.recentHistory(root, from.minusDays(meta.derived().derived().lookbackPeriods()),
										asOf.minusDays(1))
								.labelsThrough((int) known.toEpochDay()));
				}
			}
			catch (DataValidationFailed ex) {
				return skipped(def, asOf, trigger, champion.get(), from, Status.NO_DATA,
						"no data in the window: " + this.text.of(ex.getMessage()));
			}
			if (current.rows() < policy.minRows()) {
				return skipped(def, asOf, trigger, champion.get(), from, Status.INSUFFICIENT_DATA, "only "
						+ current.rows() + " rows in the current window; a check needs at least " + policy.minRows());
			}
			// the reference rows carry the derived values training computed (read where
			// present: a version from before derived features has none)
			List<ColumnRequest> refColumns = new ArrayList<>(columns);
			if (meta.derived() != null) {
				meta.derived()
					.definitions()
					.forEach(d -> refColumns.add(new ColumnRequest(d.name(), ColumnRequest.Kind.NUMERIC, false)));
			}
			ReferenceSample ref = ReferenceSample.read(refFile, refColumns);
			return compare(def, policy, asOf, labelsUntil, trigger, meta, scorer, ref, current, from);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			others.forEach(ModelArtifact::close);
		}
	}

	/** What a check scores rows with: the champion, or its committee's weighted vote. */
	private interface Scorer {

		Predictions predict(Table table);

	}

	/**
	 * With {@code promotion.committee} and a committee in the registry, the committee's
	 * weighted vote (as batch scoring and the {@code Champion} client serve it): each
	 * member scores with its own encoders and network (the champion's artifact is reused,
	 * the others are opened into {@code others}, closed by the caller). Otherwise the
	 * champion. The rows carry the derived features as the champion computed them.
	 */
	private Scorer scorer(PipelineDefinition def, ModelArtifact champion, List<ModelArtifact> others) {
		if (this.committees == null || def.committee() == null) {
			return champion::predict;
		}
		Optional<CommitteeRegistry.State> state = this.committees.current(def.name());
		if (state.isEmpty() || state.get().weights().isEmpty()) {
			return champion::predict;
		}
		List<ModelArtifact> members = new ArrayList<>();
		for (int v : state.get().weights().versions()) {
			if (v == champion.metadata().version()) {
				members.add(champion);
			}
			else {
				ModelArtifact m = this.store.load(def.name(), v);
				others.add(m);
				members.add(m);
			}
		}
		double[] weights = state.get().weights().weights();
		log.debug("drift check of {} scores with the committee {}", def.name(), state.get().byVersion());
		return t -> CommitteeVote.predict(members, weights, t);
	}

	private DriftReport compare(PipelineDefinition def, DriftPolicy policy, LocalDate asOf, LocalDate labelsUntil,
			String trigger, ArtifactMetadata meta, Scorer artifact, ReferenceSample ref, Table current,
			LocalDate from) {
		Table train = ref.train();
		List<int[]> blocks = Calibration.blocks(train.epochDays(), policy.currentDays(), current.rows(), MIN_BLOCKS,
				def.hyperparameters().seed());
		// alpha is shared by the tests that can trigger (per feature for input, one for
		// the scores, one for
		// performance): the family-wise false-alarm rate of a check stays <= alpha
		List<DriftPolicy.Signal> on = policy.triggerOn();
		int tests = (on.contains(DriftPolicy.Signal.INPUT) ? meta.inputs().size() : 0)
				+ (on.contains(DriftPolicy.Signal.PREDICTION) ? 1 : 0)
				+ (on.contains(DriftPolicy.Signal.PERFORMANCE) ? 1 : 0);
		tests = Math.max(tests, 1);
		double q = 1 - policy.alpha() / tests;
		List<FeatureDrift> features = new ArrayList<>();
		for (FeatureEncoding e : meta.inputs()) {
			features.add((e.type() == FeatureSpec.FeatureType.NUMERIC)
					? numeric(e.name(), train.numeric(e.name()), current.numeric(e.name()), blocks, q, policy)
					: categorical(e.name(), train.strings(e.name()), current.strings(e.name()), blocks, q, policy));
		}
		Predictions refScores = artifact.predict(train);
		Predictions curScores = artifact.predict(current);
		// the reference scores are in-sample; the holdout's mean confidence says how much
		// that inflates it
		Predictions holdoutScores = (ref.holdout().rows() > 0) ? artifact.predict(ref.holdout()) : null;
		double inSampleBias = (holdoutScores != null) ? ScoreDrift.inSampleBias(refScores, holdoutScores) : 0.0;
		PredictionDrift prediction = PredictionDrift.of(ScoreDrift.test(refScores, curScores, blocks, q, inSampleBias,
				policy.numericEffectFloor(), policy.performanceFloor()), Histogram.scores(refScores, curScores));
		PerformanceDrift performance = performance(def, meta, artifact, ref.holdout(), current, curScores,
				policy.alpha() / tests, policy, from, labelsUntil);

		DriftReport.CostSignal cost = cost(def, policy, performance);
		PerformanceEstimate estimate = PerformanceEstimate.accuracy(meta.label(), ref.holdout(), holdoutScores, current,
				curScores);
		boolean dayBlocks = blocks.size() >= MIN_BLOCKS && distinctDays(train) >= MIN_BLOCKS;
		return DriftReport.checked(def.name(), asOf, this.clock.instant(), trigger, meta.version(), from,
				current.rows(), train.rows(), new DriftReport.Calibrated(blocks.size(), dayBlocks, q, tests), policy,
				features, prediction, performance, cost, estimate);
	}

	/**
	 * The cost trigger (CARA's idea, arXiv 2310.04216: retrain when what staleness costs
	 * outweighs what a retrain costs): the metric lost against the champion's holdout on
	 * the labelled current rows, priced per point and row, summed over the checks since
	 * the last retrain. Null without a cost section or without labels.
	 */
	private DriftReport.CostSignal cost(PipelineDefinition def, DriftPolicy policy, PerformanceDrift performance) {
		if (policy.cost() == null || performance == null) {
			return null;
		}
		// signed: a check that beats the holdout takes cost off, so that noise around no
		// loss does not add up
		double loss = def.promotion().metric().improvement(performance.holdout(), performance.current());
		double staleness = loss * 100 * performance.labelledRows() * policy.cost().valuePerPoint();
		double total = Math.max(0, this.reports.stalenessSinceLastRetrain(def.name()) + staleness);
		return new DriftReport.CostSignal(loss, performance.labelledRows(), staleness, total,
				policy.cost().retrainCost(), total >= policy.cost().retrainCost());
	}

	private static FeatureDrift numeric(String name, NumericColumn ref, NumericColumn cur, List<int[]> blocks, double q,
			DriftPolicy policy) {
		return FeatureDrift.numeric(name, NumericDrift.test(ref, cur, blocks, q, policy.numericEffectFloor()),
				policy.numericEffectFloor(), Histogram.numeric(ref, cur));
	}

	private static FeatureDrift categorical(String name, StringColumn ref, StringColumn cur, List<int[]> blocks,
			double q, DriftPolicy policy) {
		return FeatureDrift.categorical(name,
				CategoricalDrift.test(ref, cur, blocks, q, policy.categoricalEffectFloor()),
				policy.categoricalEffectFloor(), Histogram.categorical(ref, cur));
	}

	/**
	 * Performance on the labelled current rows of the days up to {@code labelsUntil}, or
	 * null where there are too few of them or no holdout.
	 */
	private PerformanceDrift performance(PipelineDefinition def, ArtifactMetadata meta, Scorer artifact, Table holdout,
			Table current, Predictions curScores, double tail, DriftPolicy policy, LocalDate from,
			LocalDate labelsUntil) {
		PerformanceDrift production = production(def, meta, artifact, holdout, tail, policy, from, labelsUntil);
		if (production != null) {
			return production;
		}
		String label = meta.label().column();
		if (!current.has(label) || holdout.rows() == 0) {
			return null;
		}
		List<Integer> labelled = new ArrayList<>();
		long lastLabelled = labelsUntil.toEpochDay();
		for (int r = 0; r < current.rows(); r++) {
			if (!current.column(label).isNull(r) && current.epochDays()[r] <= lastLabelled) {
				labelled.add(r);
			}
		}
		if (labelled.size() < policy.minRows()) {
			return null;
		}
		int[] rows = labelled.stream().mapToInt(Integer::intValue).toArray();
		double[] curLabels;
		try {
			curLabels = meta.label().encode(current.select(rows));
		}
		catch (DataValidationFailed ex) {
			return null;
		}
		PerformanceDrop d = PerformanceDrop.test(def.promotion().metric(), curScores.select(rows), curLabels,
				artifact.predict(holdout), meta.label().encode(holdout), def.hyperparameters().seed(), tail,
				policy.performanceFloor());
		return PerformanceDrift.of(d, "rescored");
	}

	/**
	 * Realised production performance: with {@code labels:}, the champion's stored
	 * predictions of the window's days joined with the labels that landed for them, when
	 * they hold at least {@code min-rows} labelled rows (binary classification and
	 * regression: a multiclass prediction keeps one score); null otherwise (the check
	 * falls back to scoring the window's labelled rows). A day whose join is refused is
	 * left out and logged.
	 */
	private PerformanceDrift production(PipelineDefinition def, ArtifactMetadata meta, Scorer artifact, Table holdout,
			double tail, DriftPolicy policy, LocalDate from, LocalDate asOf) {
		if (def.labels() == null || holdout.rows() == 0 || meta.label().task() == Task.MULTICLASS_CLASSIFICATION) {
			return null;
		}
		ProductionLabels labels = new ProductionLabels(this.props, this.store);
		List<Double> scores = new ArrayList<>();
		List<Double> truth = new ArrayList<>();
		for (LocalDate day = from; !day.isAfter(asOf); day = day.plusDays(1)) {
			if (!labels.available(def, day)) {
				continue;
			}
			try {
				for (ProductionLabels.Joined j : labels.join(def, day)) {
					if (j.version() != meta.version()) {
						continue;
					}
					for (int r = 0; r < j.labels().length; r++) {
						scores.add(j.scores().scores()[r]);
						truth.add(j.labels()[r]);
					}
				}
			}
			catch (DataValidationFailed ex) {
				log.warn("drift check of {}: the labels of {} were left out: {}", def.name(), day, ex.getMessage());
			}
		}
		if (scores.size() < policy.minRows()) {
			return null;
		}
		Predictions current = new Predictions(meta.label().task(), meta.label().outputs(),
				scores.stream().mapToDouble(Double::doubleValue).toArray());
		PerformanceDrop d = PerformanceDrop.test(def.promotion().metric(), current,
				truth.stream().mapToDouble(Double::doubleValue).toArray(), artifact.predict(holdout),
				meta.label().encode(holdout), def.hyperparameters().seed(), tail, policy.performanceFloor());
		if (!Double.isFinite(d.current())) {
			log.info(
					"drift check of {}: {} on production's {} joined rows is not a number (one class only?); "
							+ "measuring on the window's labelled rows instead",
					def.name(), d.metric().key(), scores.size());
			return null;
		}
		return PerformanceDrift.of(d, "production");
	}

	private DriftReport skipped(PipelineDefinition def, LocalDate asOf, String trigger, Integer champion,
			LocalDate from, Status status, String summary) {
		return DriftReport.skipped(def.name(), asOf, this.clock.instant(), trigger, champion, from, status, summary);
	}

	private static int distinctDays(Table t) {
		return (int) Arrays.stream(t.epochDays()).distinct().count();
	}

}
