package dev.retrain.jobs.retrain;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.json.Json;
import dev.retrain.models.promotion.PromotionDecision;

/** Step 5: apply the pipeline's promotion policy to the primary holdout comparison. */
class DecideStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(DecideStep.class);

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	DecideStep(StepInputsFactory inputs, RunRecords runs) {
		this.inputs = inputs;
		this.runs = runs;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepInputs s = this.inputs.of(chunk);
		EvaluationInfo eval = Json.read(s.ws().evaluation(), EvaluationInfo.class);
		PromotionDecision decision = s.def().promotion().decide(eval.primaryComparison());
		Json.write(s.ws().decision(), decision);
		this.runs.decision(s.run().runId(), eval.championVersion(), Decision.of(decision.outcome()),
				decision.summary());
		Map<String, Object> detail = new LinkedHashMap<>();
		detail.put("outcome", decision.outcome());
		detail.put("summary", decision.summary());
		detail.put("reasons", decision.reasons());
		if (s.def().promotion().test() != null) {
			// what the promotion test measured (null where it could not be computed)
			detail.put("test", eval.test());
		}
		this.runs.detail(s.run().runId(), "decision", detail);
		log.info("decision {}: {}", decision.outcome(), decision.summary());
		return RepeatStatus.FINISHED;
	}

}
