package dev.retrain.jobs.workers;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.integration.remote.RemoteStep;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.core.MessagingTemplate;

import dev.retrain.jobs.RetrainProperties;

/**
 * Makes Spring Batch {@link RemoteStep}s that run a step on a worker: the step execution
 * is created here, the worker updates it in the shared job repository, and this node
 * polls for its end (giving up after {@code retrain.workers.timeout}).
 */
public class WorkerRequests {

	private final MessagingTemplate template;

	private final RetrainProperties.Workers settings;

	WorkerRequests(DirectChannel channel, RetrainProperties.Workers settings) {
		this.template = new MessagingTemplate();
		this.template.setDefaultChannel(channel);
		this.settings = settings;
	}

	/**
	 * A step named {@code name} in the job that runs step {@code workerStep} on a worker.
	 */
	public Step remote(String name, String workerStep, JobRepository repository) {
		RemoteStep step = new RemoteStep(name, workerStep, repository, this.template);
		step.setTimeout(this.settings.timeout().toMillis());
		step.setPollInterval(this.settings.pollInterval().toMillis());
		return step;
	}

}
