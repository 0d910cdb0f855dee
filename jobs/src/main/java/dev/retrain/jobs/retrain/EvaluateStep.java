package dev.retrain.jobs.retrain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.promotion.Comparison;
import dev.retrain.models.promotion.SliceRule;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.Json;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelTrainer;

/** Step 4: measure the candidate and the current champion on the same holdout rows with the same metrics. */
class EvaluateStep implements Tasklet {

	private final StepScopes scopes;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	EvaluateStep(StepScopes scopes, RunRecords runs, ModelRegistry registry,
			ModelStore store) {
		this.scopes = scopes;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
	}

	/** Scores of one model on every holdout, plus the labels it was scored against. */
	private record Scored(Map<String, Predictions> predictions, Map<String, double[]> labels) {
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepScope s = this.scopes.of(chunk);
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		RunWorkspace ws = s.ws();
		CandidateInfo cand = Json.read(ws.candidate(), CandidateInfo.class);
		Optional<Integer> championVersion = this.registry.champion(def.name());
		ArtifactMetadata championMeta = championVersion.map(v -> this.store.metadata(def.name(), v)).orElse(null);
		List<FeatureSpec> extra = new ArrayList<>();
		if (championMeta != null) {
			Set<String> mine = new HashSet<>(def.featureNames());
			for (FeatureEncoding e : championMeta.features()) {
				if (!mine.contains(e.name())) {
					extra.add(new FeatureSpec(e.name(), e.type(), null, null));
				}
			}
		}
		Map<String, Table> holdouts = s.plan().holdouts(WindowPlan.columns(def, extra));

		Scored candidate;
		try (LoadedModel model = LoadedModel.load(cand.shape(), ws.training().resolve(ModelTrainer.FINAL_PARAMS))) {
			FeatureEncoder encoder = new FeatureEncoder(cand.features());
			Map<String, Predictions> preds = new LinkedHashMap<>();
			Map<String, double[]> labels = new LinkedHashMap<>();
			holdouts.forEach((name, t) -> {
				preds.put(name, model.predict(encoder, t));
				labels.put(name, cand.label().encode(t));
			});
			candidate = new Scored(preds, labels);
		}
		Scored champion = null;
		String unavailable = null;
		if (championMeta != null) {
			List<String> missing = championMeta.features()
				.stream()
				.map(FeatureEncoding::name)
				.filter(n -> holdouts.values().stream().anyMatch(t -> !t.has(n)))
				.toList();
			if (!missing.isEmpty()) {
				unavailable = "champion v" + championVersion.get() + " needs column(s) " + missing
						+ " that the current data lacks";
			}
			else {
				try (ModelArtifact artifact = this.store.load(def.name(), championVersion.get())) {
					Map<String, Predictions> preds = new LinkedHashMap<>();
					Map<String, double[]> labels = new LinkedHashMap<>();
					holdouts.forEach((name, t) -> {
						labels.put(name, artifact.metadata().label().encode(t));
						preds.put(name, artifact.predict(t));
					});
					champion = new Scored(preds, labels);
				}
				catch (DataValidationFailed ex) {
					unavailable = "champion v" + championVersion.get() + " cannot score the holdout: " + ex.getMessage();
				}
			}
		}
		String primary = def.primaryHoldout().name();
		EvaluationInfo info = new EvaluationInfo(primary, metrics(candidate), championVersion.orElse(null),
				(champion != null) ? metrics(champion) : null, unavailable,
				(champion != null && def.promotion().slices() != null)
						? slices(def, holdouts.get(primary), primary, candidate, champion) : null);
		Json.write(ws.evaluation(), info);
		this.runs.detail(run.runId(), "evaluation", info);
		return RepeatStatus.FINISHED;
	}

	private static Map<String, Map<String, Double>> metrics(Scored s) {
		Map<String, Map<String, Double>> m = new LinkedHashMap<>();
		s.predictions().forEach((name, p) -> m.put(name, Metrics.compute(p, s.labels().get(name))));
		return m;
	}

	private static Map<String, Comparison.SliceResult> slices(PipelineDefinition def, Table holdout, String name,
			Scored candidate, Scored champion) {
		SliceRule rule = def.promotion().slices();
		String metric = def.promotion().metric().key();
		Map<String, List<Integer>> groups = new TreeMap<>();
		String[] values = holdout.strings(rule.column()).values();
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
