package dev.retrain.jobs.workers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.integration.partition.StepExecutionRequest;

import dev.retrain.jobs.pipeline.PipelineCatalog;

/**
 * Which queue a step request goes to: the one its pipeline's {@code resources.queue}
 * names. Each queue is declared (durable) before its first request, so a request never
 * goes to a queue that does not exist (the broker would drop it).
 */
public class WorkerQueues {

	private final AmqpAdmin admin;

	private final PipelineCatalog catalog;

	private final JobRepository repository;

	private final Map<String, Boolean> declared = new ConcurrentHashMap<>();

	WorkerQueues(AmqpAdmin admin, PipelineCatalog catalog, JobRepository repository) {
		this.admin = admin;
		this.catalog = catalog;
		this.repository = repository;
	}

	String queueFor(StepExecutionRequest request) {
		JobExecution execution = this.repository.getStepExecution(request.getStepExecutionId()).getJobExecution();
		String pipeline = execution.getJobParameters().getString("pipeline");
		String queue = WorkerConfiguration.queueName(this.catalog.get(pipeline).resources().queue());
		this.declared.computeIfAbsent(queue, q -> {
			declare(this.admin, q);
			return Boolean.TRUE;
		});
		return queue;
	}

	/** How many consumers {@code queue} has now (0 when it does not exist). */
	int consumers(String queue) {
		QueueInformation info = this.admin.getQueueInfo(queue);
		return (info != null) ? info.getConsumerCount() : 0;
	}

	static void declare(AmqpAdmin admin, String queue) {
		Queue q = QueueBuilder.durable(queue).build();
		admin.declareQueue(q);
	}

}
