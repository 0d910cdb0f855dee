package dev.retrain.jobs.drift;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.drift.DriftReport.FeatureDrift;
import dev.retrain.jobs.drift.DriftReport.PerformanceDrift;
import dev.retrain.jobs.drift.DriftReport.PredictionDrift;
import dev.retrain.jobs.drift.DriftReport.Status;
import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.scoring.ProductionLabels;
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

	public DriftChecker(PipelineCatalog catalog, RetrainProperties props, ModelRegistry registry, ModelStore store,
			DriftReports reports, DriftEvents events, Clock clock, ApplicationEventPublisher publisher) {
		this.publisher = publisher;
		this.catalog = catalog;
		this.props = props;
		this.registry = registry;
		this.store = store;
		this.reports = reports;
		this.events = events;
		this.clock = clock;
	}

	/**
	 * Checks the window ending at {@code asOf}, stores the report and, on drift, submits
	 * a drift event.
	 */
	public DriftReport check(String pipeline, LocalDate asOf, String trigger) {
		PipelineData.plausible("asOf", asOf);
		PipelineDefinition def = this.catalog.get(pipeline);
		DriftReport report = evaluate(def, asOf, trigger);
		long id = this.reports.save(report);
		String outcome = null;
		if (report.status() == Status.DRIFT) {
			DriftEvent e = this.events.submit(new DriftEvents.Submission(pipeline, "drift-check", "report-" + id,
					"warning", "drift report " + id + ": " + report.summary(), asOf));
			outcome = e.outcome() + ": " + e.reason();
			this.reports.outcome(id, outcome);
			this.publisher.publishEvent(new DriftDetected(pipeline, id, report.summary(), outcome));
		}
		log.info("drift check {} of {} for {}: {}", id, pipeline, asOf, report.summary());
		return DriftReports.withId(report, id, outcome);
	}

	DriftReport evaluate(PipelineDefinition def, LocalDate asOf, String trigger) {
		DriftPolicy policy = def.drift();
		LocalDate from = asOf.minusDays(policy.currentDays() - 1L);
		Optional<Integer> champion = this.registry.champion(def.name());
		if (champion.isEmpty()) {
			return bare(def, asOf, trigger, null, from, Status.NO_CHAMPION,
					"no champion yet: nothing to compare against");
		}
		Path refFile = this.store.versionDir(def.name(), champion.get()).resolve(ReferenceSample.FILE);
		if (!Files.exists(refFile)) {
			return bare(def, asOf, trigger, champion.get(), from, Status.NO_DATA,
					"champion v" + champion.get() + " has no reference sample");
		}
		try (ModelArtifact artifact = this.store.load(def.name(), champion.get())) {
			ArtifactMetadata meta = artifact.metadata();
			List<ColumnRequest> columns = new ArrayList<>();
			for (FeatureEncoding e : meta.features()) {
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
			}
			catch (DataValidationFailed ex) {
				return bare(def, asOf, trigger, champion.get(), from, Status.NO_DATA, ex.getMessage());
			}
			if (current.rows() < policy.minRows()) {
				return bare(def, asOf, trigger, champion.get(), from, Status.INSUFFICIENT_DATA, "only " + current.rows()
						+ " rows in the current window; a check needs at least " + policy.minRows());
			}
			ReferenceSample ref = ReferenceSample.read(refFile, columns);
			return compare(def, policy, asOf, trigger, meta, artifact, ref, current, from);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private DriftReport compare(PipelineDefinition def, DriftPolicy policy, LocalDate asOf, String trigger,
			ArtifactMetadata meta, ModelArtifact artifact, ReferenceSample ref, Table current, LocalDate from) {
		Table train = ref.train();
		List<int[]> blocks = Calibration.blocks(train.epochDays(), policy.currentDays(), current.rows(), MIN_BLOCKS,
				def.hyperparameters().seed());
		// alpha is shared by the tests that can trigger (per feature for input, one for
		// the scores, one for
		// performance): the family-wise false-alarm rate of a check stays <= alpha
		List<DriftPolicy.Signal> on = policy.triggerOn();
		int tests = (on.contains(DriftPolicy.Signal.INPUT) ? meta.features().size() : 0)
				+ (on.contains(DriftPolicy.Signal.PREDICTION) ? 1 : 0)
				+ (on.contains(DriftPolicy.Signal.PERFORMANCE) ? 1 : 0);
		tests = Math.max(tests, 1);
		double q = 1 - policy.alpha() / tests;
		List<FeatureDrift> features = new ArrayList<>();
		for (FeatureEncoding e : meta.features()) {
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
		PredictionDrift prediction = prediction(refScores, curScores, blocks, q, inSampleBias, policy);
		PerformanceDrift performance = performance(def, meta, artifact, ref.holdout(), current, curScores,
				policy.alpha() / tests, policy, from, asOf);

		long drifted = features.stream().filter(FeatureDrift::drifted).count();
		boolean input = drifted > 0 && (double) drifted / features.size() >= policy.minDriftedShare();
		Map<String, Boolean> signals = new LinkedHashMap<>();
		signals.put("input", input);
		signals.put("prediction", prediction.drifted());
		// a metric that is not a number (roc_auc on labels of one class) measured nothing
		boolean measured = performance != null && Double.isFinite(performance.current());
		signals.put("performance", measured ? performance.drifted() : null);
		DriftReport.CostSignal cost = cost(def, policy, performance);
		signals.put("cost", (cost != null) ? cost.due() : null);
		PerformanceEstimate estimate = estimate(meta, ref.holdout(), holdoutScores, current, curScores);
		signals.put("estimate", (estimate != null) ? estimate.dropped(policy.performanceFloor()) : null);
		List<Boolean> enabled = policy.triggerOn()
			.stream()
			.map(s -> signals.get(s.name().toLowerCase(Locale.ROOT)))
			.toList();
		boolean positive = policy.all() ? !enabled.isEmpty() && enabled.stream().allMatch(Boolean.TRUE::equals)
				: enabled.stream().anyMatch(Boolean.TRUE::equals);
		String moved = features.stream().filter(FeatureDrift::drifted).map(FeatureDrift::feature).toList().toString();
		String summary = String.format(Locale.ROOT,
				"%s: %d of %d features drifted %s (input %s, share needed %.2f); "
						+ "prediction %s; performance %s; decision on %s (%s)",
				positive ? "drift" : "no drift", drifted, features.size(), moved, input ? "yes" : "no",
				policy.minDriftedShare(), prediction.drifted() ? "drifted" : "stable",
				(performance == null) ? "not measured (no labels)"
						: !measured ? String.format(Locale.ROOT,
								"not measured (%s is not defined on the %d labelled rows, e.g. all of one class)",
								performance.metric(), performance.labelledRows())
								: (performance.drifted() ? "dropped" : "stable")
										+ ("production".equals(performance.source()) ? " in production" : "")
										+ String.format(Locale.ROOT, " (%s %.4f vs %.4f)", performance.metric(),
												performance.current(), performance.holdout()),
				policy.triggerOn().toString().toLowerCase(Locale.ROOT), policy.all() ? "all" : "any");
		String calibration = String.format(Locale.ROOT,
				"%d %s of the reference at %d rows; thresholds at the %.4f quantile (alpha %.3f over %d tests)",
				blocks.size(),
				(blocks.size() >= MIN_BLOCKS && distinctDays(train) >= MIN_BLOCKS) ? "day blocks" : "random subsamples",
				current.rows(), q, policy.alpha(), tests);
		return new DriftReport(null, def.name(), asOf, this.clock.instant(), trigger, meta.version(), from, asOf,
				current.rows(), train.rows(), blocks.size(), calibration, positive ? Status.DRIFT : Status.NO_DRIFT,
				summary + ((cost != null) ? String.format(Locale.ROOT,
						"; staleness cost %.1f since the last retrain against %.1f a retrain%s",
						cost.sinceLastRetrain(), cost.retrainCost(), cost.due() ? ": due" : "") : ""),
				features, prediction, performance, signals, null, cost, estimate);
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
		NumericDrift d = NumericDrift.test(ref, cur, blocks, q, policy.numericEffectFloor());
		return new FeatureDrift(name, "numeric", "ks",
				"numeric: Kolmogorov-Smirnov against its spread across reference blocks; PSI on reference deciles as effect size",
				d.ks(), d.threshold(), d.psi(), policy.numericEffectFloor(), d.pValue(), d.wassersteinNormalized(),
				d.psi(), null, d.drifted(), Histogram.numeric(ref, cur));
	}

	private static FeatureDrift categorical(String name, StringColumn ref, StringColumn cur, List<int[]> blocks,
			double q, DriftPolicy policy) {
		CategoricalDrift d = CategoricalDrift.test(ref, cur, blocks, q, policy.categoricalEffectFloor());
		return new FeatureDrift(name, "categorical", "jensen-shannon",
				"categorical: Jensen-Shannon distance against its spread across reference blocks (also its effect size); chi-square p-value for reference",
				d.jensenShannon(), d.threshold(), d.jensenShannon(), policy.categoricalEffectFloor(),
				d.chiSquarePValue(), null, null, d.unseenRate(), d.drifted(), Histogram.categorical(ref, cur));
	}

	private static PredictionDrift prediction(Predictions ref, Predictions cur, List<int[]> blocks, double q,
			double inSampleBias, DriftPolicy policy) {
		ScoreDrift d = ScoreDrift.test(ref, cur, blocks, q, inSampleBias, policy.numericEffectFloor(),
				policy.performanceFloor());
		return new PredictionDrift(d.ks(), d.ksThreshold(), d.psi(), d.meanConfidence(), d.referenceConfidence(),
				d.confidenceLow(), d.confidenceHigh(), d.meanEntropy(), d.referenceEntropy(), d.distributionDrifted(),
				d.confidenceFlag(), d.drifted(), Histogram.scores(ref, cur));
	}

	/**
	 * The champion's accuracy on the current rows estimated from its confidence,
	 * calibrated on its holdout (CBPE), with the realised accuracy where labels are
	 * there: the signal for labels that arrive late. Null for regression or without a
	 * holdout.
	 */
	private static PerformanceEstimate estimate(ArtifactMetadata meta, Table holdout, Predictions holdoutScores,
			Table current, Predictions curScores) {
		if (holdoutScores == null || meta.label().task() == Task.REGRESSION) {
			return null;
		}
		try {
			double[] holdoutLabels = meta.label().encode(holdout);
			String label = meta.label().column();
			double[] currentLabels = null;
			if (current.has(label)) {
				currentLabels = new double[current.rows()];
				Arrays.fill(currentLabels, Double.NaN);
				List<Integer> labelled = new ArrayList<>();
				for (int r = 0; r < current.rows(); r++) {
					if (!current.column(label).isNull(r)) {
						labelled.add(r);
					}
				}
				int[] rows = labelled.stream().mapToInt(Integer::intValue).toArray();
				double[] encoded = meta.label().encode(current.select(rows));
				for (int i = 0; i < rows.length; i++) {
					currentLabels[rows[i]] = encoded[i];
				}
			}
			return PerformanceEstimate.accuracy(holdoutScores, holdoutLabels, curScores, currentLabels);
		}
		catch (DataValidationFailed ex) {
			// a label the champion never saw: no estimate rather than a wrong one
			return null;
		}
	}

	/**
	 * Performance on the labelled current rows, or null where there are too few of them
	 * or no holdout.
	 */
	private PerformanceDrift performance(PipelineDefinition def, ArtifactMetadata meta, ModelArtifact artifact,
			Table holdout, Table current, Predictions curScores, double tail, DriftPolicy policy, LocalDate from,
			LocalDate asOf) {
		PerformanceDrift production = production(def, meta, artifact, holdout, tail, policy, from, asOf);
		if (production != null) {
			return production;
		}
		String label = meta.label().column();
		if (!current.has(label) || holdout.rows() == 0) {
			return null;
		}
		List<Integer> labelled = new ArrayList<>();
		for (int r = 0; r < current.rows(); r++) {
			if (!current.column(label).isNull(r)) {
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
		boolean measured = Double.isFinite(d.current());
		return new PerformanceDrift(d.metric().key(), d.labelledRows(), d.current(), d.holdout(), d.threshold(),
				measured ? d.binomialPValue() : null, measured && d.dropped(), "rescored");
	}

	/**
	 * Realised production performance: with {@code labels:}, the champion's stored
	 * predictions of the window's days joined with the labels that landed for them, when
	 * they hold at least {@code min-rows} labelled rows (binary classification and
	 * regression: a multiclass prediction keeps one score); null otherwise (the check
	 * falls back to scoring the window's labelled rows). A day whose join is refused is
	 * left out and logged.
	 */
	private PerformanceDrift production(PipelineDefinition def, ArtifactMetadata meta, ModelArtifact artifact,
			Table holdout, double tail, DriftPolicy policy, LocalDate from, LocalDate asOf) {
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
		return new PerformanceDrift(d.metric().key(), d.labelledRows(), d.current(), d.holdout(), d.threshold(),
				d.binomialPValue(), d.dropped(), "production");
	}

	private DriftReport bare(PipelineDefinition def, LocalDate asOf, String trigger, Integer champion, LocalDate from,
			Status status, String summary) {
		return new DriftReport(null, def.name(), asOf, this.clock.instant(), trigger, champion, from, asOf, 0, 0, 0,
				null, status, summary, List.of(), null, null, Map.of(), null, null, null);
	}

	private static int distinctDays(Table t) {
		return (int) Arrays.stream(t.epochDays()).distinct().count();
	}

}
