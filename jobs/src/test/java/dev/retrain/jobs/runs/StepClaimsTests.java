package dev.retrain.jobs.runs;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainTestSupport;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fencing tokens on the real job repository: a second claim of a step fences the first
 * holder, a step without a claim is never fenced, and the claims of a run that ended are
 * deleted once it ended before the retention's cut-off, not before.
 */
class StepClaimsTests extends RetrainTestSupport {

	@Autowired
	StepClaims claims;

	@Autowired
	JobRepository repository;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void aNewerClaimFencesTheOlderHolderAndEndedRunsClaimsAreForgottenAfterTheirCutOff() {
		sampleData(DATA_DIR, "claimed", 120, 41);
		definePipeline("claimed", yaml("claimed", "claimed", GOOD_MODEL, ""));
		RunRecord run = run("claimed", LAST, "claims");
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		long trainId = this.repository.getJobExecution(run.runId())
			.getStepExecutions()
			.stream()
			.filter(s -> s.getStepName().equals("train"))
			.findFirst()
			.orElseThrow()
			.getId();

		StepExecution first = this.repository.getStepExecution(trainId);
		assertThat(this.claims.takenOver(first)).as("no claim: the node's own step").isEmpty();
		assertThat(this.claims.claim(first, "w1")).isEqualTo(1);
		assertThat(this.claims.takenOver(first)).isEmpty();
		StepExecution second = this.repository.getStepExecution(trainId);
		assertThat(this.claims.claim(second, "w2")).isEqualTo(2);
		assertThat(this.claims.takenOver(second)).isEmpty();
		assertThat(this.claims.takenOver(first))
			.hasValueSatisfying(why -> assertThat(why).contains("was taken over by worker w2 (claim 2)")
				.contains("this worker (w1, claim 1) stopped without writing"));

		assertThat(this.claims.forgetEnded(Instant.now().minus(Duration.ofHours(1))))
			.as("the run ended just now: its claims stay")
			.isZero();
		assertThat(this.claims.forgetEnded(Instant.now().plus(Duration.ofMinutes(1)))).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM step_claim WHERE step_execution_id = ?",
				Integer.class, trainId))
			.isZero();
	}

}
