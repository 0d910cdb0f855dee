package dev.retrain.jobs;

import java.time.Clock;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.batch.autoconfigure.BatchTaskExecutor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.drift.DriftConfiguration;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.RegistryConfiguration;
import dev.retrain.jobs.retrain.RetrainJobConfiguration;
import dev.retrain.jobs.retrain.RunLifecycleListener;
import dev.retrain.jobs.runs.RunsConfiguration;
import dev.retrain.jobs.scoring.ScoringJobConfiguration;
import dev.retrain.jobs.workers.WorkerConfiguration;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.store.ModelStore;

/**
 * The jobs module's shared beans (clock, catalog, data, store, audit, the consistency
 * check, the batch executor) and each feature's own configuration.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetrainProperties.class)
@Import({ RunsConfiguration.class, DriftConfiguration.class, RegistryConfiguration.class, RetrainJobConfiguration.class,
		WorkerConfiguration.class, ScoringJobConfiguration.class })
public class JobsConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	FailureText failureText(RetrainProperties props) {
		return new FailureText(props);
	}

	/**
	 * The model plugins of {@code retrain.plugins-dir}, installed for the whole process
	 * before any pipeline is loaded (a pipeline may name one, and a stored version needs
	 * its own). Without the setting, the process keeps what it has: none in a server, the
	 * server's in a backtest's sandbox (an application context in the same process).
	 */
	@Bean
	ModelPlugins modelPlugins(RetrainProperties props) {
		ModelPlugins installed = ModelPlugins.installed();
		if (props.pluginsDir() == null || props.pluginsDir().equals(installed.directory())) {
			return installed;
		}
		ModelPlugins plugins = ModelPlugins.load(props.pluginsDir());
		ModelPlugins.install(plugins);
		return plugins;
	}

	@Bean
	PipelineCatalog pipelineCatalog(RetrainProperties props, ModelPlugins plugins) {
		PipelineCatalog catalog = new PipelineCatalog(props.configDir());
		catalog.reload();
		return catalog;
	}

	@Bean
	ModelStore modelStore(RetrainProperties props) {
		return new ModelStore(props.store(), props.storeCache());
	}

	@Bean
	PipelineData pipelineData(RetrainProperties props, Clock clock) {
		return new PipelineData(props, clock);
	}

	@Bean
	ConsistencyCheck consistencyCheck(ModelRegistry registry, ModelStore store, JdbcTemplate jdbc,
			JobRepository jobRepository, Clock clock) {
		return new ConsistencyCheck(registry, store, jdbc, jobRepository, clock);
	}

	@Bean
	AuditLog auditLog(JdbcTemplate jdbc, Clock clock) {
		return new AuditLog(jdbc, clock);
	}

	/**
	 * Runs execute on their own threads, so a launch returns at once; how many at once is
	 * {@link RetrainProperties#runThreads()}.
	 */
	@Bean
	@BatchTaskExecutor
	TaskExecutor batchTaskExecutor(RetrainProperties props, ObjectProvider<RunLifecycleListener> lifecycle) {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		// a run whose end Spring Batch could not record still ends (RunLifecycleListener)
		executor.setTaskDecorator(job -> lifecycle.getObject().guard(job));
		executor.setThreadNamePrefix("run-");
		// the core size is how many runs execute at once; the others wait in the queue,
		// however many: a thousand schedules firing in the same minute launch a thousand
		// runs, and a bounded queue refused those past it (each launch failed with
		// TaskRejectedException; docs/capacity.md). A queued run is a few objects.
		executor.setCorePoolSize(props.runThreads());
		executor.setMaxPoolSize(props.runThreads());
		executor.setQueueCapacity(Integer.MAX_VALUE);
		executor.initialize();
		return executor;
	}

}
