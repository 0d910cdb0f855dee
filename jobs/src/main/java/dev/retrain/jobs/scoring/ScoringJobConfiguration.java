package dev.retrain.jobs.scoring;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.models.store.ModelStore;

/**
 * The batch scoring job ({@value #JOB_NAME}): one step that scores a pipeline's date with
 * a model version and writes the predictions partitioned by date ({@link ScoreStep}).
 * Spring Batch's job repository is its record: status, parameters, restarts.
 */
@Configuration(proxyBeanMethods = false)
public class ScoringJobConfiguration {

	public static final String JOB_NAME = "score";

	@Bean(JOB_NAME)
	Job scoreJob(JobRepository repository, PlatformTransactionManager tm, PipelineCatalog catalog, ModelStore store,
			RetrainProperties props) {
		return new JobBuilder(JOB_NAME, repository)
			.start(new StepBuilder("score", repository).tasklet(new ScoreStep(catalog, store, props), tm).build())
			.build();
	}

	@Bean
	ScoringLauncher scoringLauncher(JobOperator operator, JobRepository repository, @Qualifier(JOB_NAME) Job job,
			PipelineCatalog catalog, PipelineData data, ModelRegistry registry) {
		return new ScoringLauncher(operator, repository, job, catalog, data, registry);
	}

}
