package dev.retrain.jobs.faults;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.TransactionSystemException;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.retrain.RetrainJobConfiguration;
import dev.retrain.jobs.retrain.RunLifecycleListener;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunRecord;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run that Spring Batch left UNKNOWN (a step whose commit the database did not confirm,
 * as when the connection is cut at commit) is restarted like a failed one: Spring Batch
 * refuses that by default, but every retrain step is safe to repeat.
 */
class UnknownStepRestartTests extends RetrainTestSupport {

	@Autowired
	JobRepository repository;

	@Test
	void aRunLeftUnknownRestartsAndRegistersExactlyOneVersion() {
		sampleData(DATA_DIR, "unknown-data", 150, 41);
		definePipeline("unknown", yaml("unknown", "unknown-data", GOOD_MODEL, ""));
		this.failures.arm(2);
		RunRecord failed = run("unknown", LAST, "unconfirmed");
		assertThat(failed.status()).isEqualTo("FAILED");
		// what Spring Batch records when it cannot tell whether the step's commit
		// happened
		JobExecution execution = this.repository.getJobExecution(failed.runId());
		for (StepExecution step : execution.getStepExecutions()) {
			if (step.getStepName().equals("train")) {
				step.setStatus(BatchStatus.UNKNOWN);
				this.repository.update(step);
			}
		}
		execution.setStatus(BatchStatus.UNKNOWN);
		this.repository.update(execution);

		RunRecord restarted = awaitEnd(this.launcher.restart(failed.runId()).runId());

		assertThat(restarted.status()).as(restarted.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.versions("unknown")).extracting(ModelVersion::version).containsExactly(1);
	}

	/**
	 * The run ended FAILED but the update that ended its step was lost (seen in CI when
	 * PostgreSQL cut the connection mid-step): Spring Batch would refuse the restart as a
	 * race with a running execution.
	 */
	@Test
	void aRunWhoseStepStillClaimsToRunRestartsAndRegistersExactlyOneVersion() {
		sampleData(DATA_DIR, "lost-update-data", 150, 43);
		definePipeline("lost-update", yaml("lost-update", "lost-update-data", GOOD_MODEL, ""));
		this.failures.arm(2);
		RunRecord failed = run("lost-update", LAST, "lost-step-update");
		assertThat(failed.status()).isEqualTo("FAILED");
		JobExecution execution = this.repository.getJobExecution(failed.runId());
		for (StepExecution step : execution.getStepExecutions()) {
			if (step.getStepName().equals("train")) {
				step.setStatus(BatchStatus.STARTED);
				this.repository.update(step);
			}
		}

		RunRecord restarted = awaitEnd(this.launcher.restart(failed.runId()).runId());

		assertThat(restarted.status()).as(restarted.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.versions("lost-update")).extracting(ModelVersion::version).containsExactly(1);
	}

	@Autowired
	RunLifecycleListener lifecycle;

	@Autowired
	PipelineLocks locks;

	/**
	 * Spring Batch's own last update of a job execution fails (seen in CI when PostgreSQL
	 * cut the connections as a run ended): the exception leaves the job before its
	 * afterJob listeners. The run still ends FAILED with the reason, its pipeline is
	 * free, and a restart completes it.
	 */
	@Test
	void aRunWhoseLastJobUpdateFailsEndsFailedFreesItsPipelineAndRestarts() {
		sampleData(DATA_DIR, "lost-end-data", 150, 47);
		definePipeline("lost-end", yaml("lost-end", "lost-end-data", GOOD_MODEL, ""));
		JobParameters params = new JobParametersBuilder().addString("pipeline", "lost-end", true)
			.addLocalDate("asOf", LAST, true)
			.addString("runKey", "lost-end", true)
			.addString("trigger", "manual", false)
			.toJobParameters();
		String token = this.locks.acquire("lost-end");
		assertThat(token).isNotNull();
		JobInstance instance = this.repository.createJobInstance(RetrainJobConfiguration.JOB_NAME, params);
		JobExecution execution = this.repository.createJobExecution(instance, params, new ExecutionContext());
		execution.setStatus(BatchStatus.STARTED);
		this.repository.update(execution);

		// the job thread as Spring Batch runs it: the run starts, then its last update
		// throws
		Runnable job = () -> {
			this.lifecycle.beforeJob(execution);
			throw new TransactionSystemException("JDBC rollback failed");
		};
		assertThatThrownBy(() -> this.lifecycle.guard(job).run()).isInstanceOf(TransactionSystemException.class);

		RunRecord ended = this.runs.find(execution.getId()).orElseThrow();
		assertThat(ended.status()).isEqualTo("FAILED");
		assertThat(ended.endedAt()).isNotNull();
		assertThat(ended.failureReason())
			.startsWith("the database did not confirm the end of the run (JDBC rollback failed")
			.contains("restart the run");
		assertThat(this.locks.isLocked("lost-end")).as("the pipeline is free").isFalse();

		RunRecord restarted = awaitEnd(this.launcher.restart(execution.getId()).runId());
		assertThat(restarted.status()).as(restarted.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.versions("lost-end")).extracting(ModelVersion::version).containsExactly(1);
	}

}
