package dev.retrain.jobs.retrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.plugins.PluginUnavailable;
import dev.retrain.models.promotion.Comparison;
import dev.retrain.models.promotion.McNemar;
import dev.retrain.models.promotion.PairedBootstrap;
import dev.retrain.models.promotion.PairedTest;
import dev.retrain.models.promotion.PairedTestResult;
import dev.retrain.models.promotion.SliceRule;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelTrainer;

/**
 * Step 4: measure the candidate and the current champion on the same holdout rows with
 * the same metrics.
 */
class EvaluateStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(EvaluateStep.class);

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	EvaluateStep(StepInputsFactory inputs, RunRecords runs, ModelRegistry registry, ModelStore store) {
		this.inputs = inputs;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
	}

	/** Scores of one model on every holdout, plus the labels it was scored against. */
	private record Scored(Map<String, Predictions> predictions, Map<String, double[]> labels) {
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepInputs s = this.inputs.of(chunk);
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		RunWorkspace ws = s.ws();
		CandidateInfo cand = Json.read(ws.candidate(), CandidateInfo.class);
		Optional<Integer> championVersion = this.registry.champion(def.name());
		ArtifactMetadata championMeta = championVersion.map(v -> this.store.metadata(def.name(), v)).orElse(null);
		List<FeatureSpec> extra = new ArrayList<>();
		if (championMeta != null) {
			Set<String> mine = new HashSet<>(def.featureNames());
			def.derived().forEach(d -> mine.add(d.name()));
			for (FeatureEncoding e : championMeta.inputs()) {
				if (!mine.contains(e.name())) {
					extra.add(new FeatureSpec(e.name(), e.type(), null, null));
				}
			}
		}
		String primary = def.primaryHoldout().name();
		SliceRule sliceRule = def.promotion().slices();
		List<String> names = def.holdouts().stream().map(h -> h.name()).toList();
		Scoring candidate = new Scoring(names, cand.shape());
		Scoring champion = (championMeta != null) ? new Scoring(names, championMeta.shape()) : null;
		List<String[]> sliceValues = new ArrayList<>();
		String[] unavailable = { null };
		Set<String> needed = new HashSet<>();
		if (championMeta != null) {
			championMeta.inputs().forEach(e -> needed.add(e.name()));
		}
		// one pass over the holdout rows, a slice at a time: both models score it, and
		// only scores and labels stay
		try (LoadedModel model = LoadedModel.load(cand.shape(), ws.training().resolve(ModelTrainer.FINAL_PARAMS));
				ModelArtifact artifact = (championMeta != null) ? loadChampion(def, championVersion.get(), unavailable)
						: null) {
			FeatureEncoder encoder = new FeatureEncoder(cand.features());
			s.plan().holdoutParts(WindowPlan.columns(def, extra), (name, part) -> {
				candidate.add(name, model.predict(encoder, part), cand.label().encode(part));
				if (sliceRule != null && name.equals(primary)) {
					sliceValues.add(part.strings(sliceRule.column()).values());
				}
				if (artifact == null || unavailable[0] != null) {
					return;
				}
				List<String> missing = needed.stream().filter(n -> !part.has(n)).sorted().toList();
				if (!missing.isEmpty()) {
					unavailable[0] = "champion v" + championVersion.get() + " needs column(s) " + missing
							+ " that the current data lacks";
					return;
				}
				try {
					champion.add(name, artifact.predict(part), artifact.metadata().label().encode(part));
				}
				catch (DataValidationFailed ex) {
					unavailable[0] = "champion v" + championVersion.get() + " cannot score the holdout: "
							+ ex.getMessage();
				}
			});
		}
		boolean championScored = champion != null && unavailable[0] == null;
		Scored candidateScored = candidate.scored();
		Scored championScores = championScored ? champion.scored() : null;
		EvaluationInfo info = new EvaluationInfo(primary, metrics(candidateScored), championVersion.orElse(null),
				championScored ? metrics(championScores) : null, unavailable[0],
				(championScored && sliceRule != null)
						? slices(def, concat(sliceValues), primary, candidateScored, championScores) : null,
				championScored ? pairedTest(def, primary, candidateScored, championScores) : null);
		Json.write(ws.evaluation(), info);
		this.runs.detail(run.runId(), "evaluation", info);
		return RepeatStatus.FINISHED;
	}

	/**
	 * The pipeline's paired test on the primary holdout, while both models' scores are in
	 * memory; only its result is kept. Null without a test, or when the two models encode
	 * the labels differently (their rows cannot be paired).
	 */
	private static PairedTestResult pairedTest(PipelineDefinition def, String primary, Scored candidate,
			Scored champion) {
		PairedTest test = def.promotion().test();
		if (test == null) {
			return null;
		}
		double[] labels = candidate.labels().get(primary);
		if (!Arrays.equals(labels, champion.labels().get(primary))) {
			log.warn("paired test skipped: candidate and champion encode the labels of '{}' differently", primary);
			return null;
		}
		long started = System.nanoTime();
		Predictions c = candidate.predictions().get(primary);
		Predictions h = champion.predictions().get(primary);
		PairedTestResult result = (test.method() == PairedTest.Method.MCNEMAR) ? McNemar.compare(c, h, labels, test)
				: PairedBootstrap.compare(def.promotion().metric(), c, h, labels, test);
		log.info("paired test ({}) on {} rows took {} ms: {}", test.method().key(), labels.length,
				(System.nanoTime() - started) / 1_000_000, result.interval());
		return result;
	}

	private static Map<String, Map<String, Double>> metrics(Scored s) {
		Map<String, Map<String, Double>> m = new LinkedHashMap<>();
		s.predictions().forEach((name, p) -> m.put(name, Metrics.compute(p, s.labels().get(name))));
		return m;
	}

	private ModelArtifact loadChampion(PipelineDefinition def, int version, String[] unavailable) {
		try {
			return this.store.load(def.name(), version);
		}
		catch (DataValidationFailed | PluginUnavailable ex) {
			// a plugin's champion needs the jar that trained it: after an upgrade it is
			// compared with nothing, as a champion that cannot be loaded
			unavailable[0] = "champion v" + version + " cannot be loaded: " + ex.getMessage();
			return null;
		}
	}

	/** One model's scores and labels per holdout, appended part by part. */
	private static final class Scoring {

		private final Map<String, double[]> scores = new LinkedHashMap<>();

		private final Map<String, double[]> labels = new LinkedHashMap<>();

		private final Map<String, Integer> rows = new LinkedHashMap<>();

		private final dev.retrain.models.training.ModelShape shape;

		Scoring(List<String> holdouts, dev.retrain.models.training.ModelShape shape) {
			this.shape = shape;
			for (String h : holdouts) {
				this.scores.put(h, new double[0]);
				this.labels.put(h, new double[0]);
				this.rows.put(h, 0);
			}
		}

		void add(String holdout, Predictions p, double[] y) {
			int at = this.rows.get(holdout);
			int n = y.length;
			int width = this.shape.outputs();
			this.scores.put(holdout, append(this.scores.get(holdout), at * width, p.scores()));
			this.labels.put(holdout, append(this.labels.get(holdout), at, y));
			this.rows.put(holdout, at + n);
		}

		/**
		 * Appends {@code more} after the first {@code used} values, growing the array by
		 * doubling.
		 */
		private static double[] append(double[] into, int used, double[] more) {
			if (used + more.length > into.length) {
				into = Arrays.copyOf(into, Math.max(used + more.length, into.length * 2));
			}
			System.arraycopy(more, 0, into, used, more.length);
			return into;
		}

		Scored scored() {
			Map<String, Predictions> p = new LinkedHashMap<>();
			Map<String, double[]> y = new LinkedHashMap<>();
			this.rows.forEach((h, n) -> {
				p.put(h, new Predictions(this.shape.task(), this.shape.outputs(),
						Arrays.copyOf(this.scores.get(h), n * this.shape.outputs())));
				y.put(h, Arrays.copyOf(this.labels.get(h), n));
			});
			return new Scored(p, y);
		}

	}

	private static String[] concat(List<String[]> parts) {
		return parts.stream().flatMap(Arrays::stream).toArray(String[]::new);
	}

	private static Map<String, Comparison.SliceResult> slices(PipelineDefinition def, String[] values, String name,
			Scored candidate, Scored champion) {
		SliceRule rule = def.promotion().slices();
		String metric = def.promotion().metric().key();
		Map<String, List<Integer>> groups = new TreeMap<>();
		for (int r = 0; r < values.length; r++) {
			groups.computeIfAbsent((values[r] != null) ? values[r] : "(missing)", k -> new ArrayList<>()).add(r);
		}
		Map<String, Comparison.SliceResult> result = new LinkedHashMap<>();
		groups.forEach((value, rows) -> {
			int[] idx = rows.stream().mapToInt(Integer::intValue).toArray();
			double c = metricOn(candidate, name, idx, metric);
			double h = metricOn(champion, name, idx, metric);
			result.put(value, new Comparison.SliceResult(idx.length, c, h));
		});
		return result;
	}

	private static double metricOn(Scored s, String holdout, int[] rows, String metric) {
		double[] labels = s.labels().get(holdout);
		double[] sub = new double[rows.length];
		for (int i = 0; i < rows.length; i++) {
			sub[i] = labels[rows[i]];
		}
		Double v = Metrics.compute(s.predictions().get(holdout).select(rows), sub).get(metric);
		return (v != null) ? v : Double.NaN;
	}

}
