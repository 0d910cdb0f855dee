package dev.retrain.jobs.workers;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.AmqpTemplate;
import org.springframework.amqp.core.Base64UrlNamingStrategy;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.dsl.Amqp;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.StepClaims;
import dev.retrain.models.json.Json;

/**
 * Training on workers with Spring Batch's own remote step
 * ({@code org.springframework.batch.integration.remote.RemoteStep}) over RabbitMQ through
 * Spring Integration. The node that runs a job sends a {@link StepExecutionRequest} for
 * its heavy steps to the queue its pipeline names and polls the shared job repository for
 * the step's end; a worker takes one request per slot (prefetch 1), runs the step and
 * acknowledges the message when the step has ended, so a worker that dies mid-step leaves
 * its request to the broker, which gives it to another worker (the step resumes from its
 * checkpoint). Nothing here is active, and no broker is needed, unless
 * {@code retrain.workers.enabled} (send) or {@code retrain.workers.consume} (take) is
 * set.
 */
@Configuration(proxyBeanMethods = false)
public class WorkerConfiguration {

	private static final Logger log = LoggerFactory.getLogger(WorkerConfiguration.class);

	/** The header that carries the queue a request goes to. */
	static final String QUEUE_HEADER = "retrain_queue";

	/** The queue of a pipeline's {@code resources.queue}. */
	public static String queueName(String queue) {
		return "retrain.steps." + queue;
	}

	/** A request on the wire: JSON, never Java serialization. */
	static String encode(StepExecutionRequest r) {
		return encode(r, null);
	}

	/**
	 * A request on the wire, with the queue its end is announced to ({@code replyTo}: the
	 * sending node's reply queue), if any.
	 */
	static String encode(StepExecutionRequest r, String replyTo) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("stepName", r.getStepName());
		m.put("stepExecutionId", r.getStepExecutionId());
		if (replyTo != null) {
			m.put("replyTo", replyTo);
		}
		return Json.MAPPER.writeValueAsString(m);
	}

	static Delivered decode(String json) {
		Map<?, ?> m = Json.MAPPER.readValue(json, Map.class);
		return new Delivered(
				new StepExecutionRequest((String) m.get("stepName"), ((Number) m.get("stepExecutionId")).longValue()),
				(String) m.get("replyTo"));
	}

	/** A request as a worker receives it. */
	record Delivered(StepExecutionRequest request, String replyTo) {
	}

	/** The sending side: this node runs jobs and sends their heavy steps to workers. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "retrain.workers.enabled", havingValue = "true")
	@EnableIntegration
	static class Sending {

		@Bean
		WorkerQueues workerQueues(AmqpAdmin admin, PipelineCatalog catalog, JobRepository repository) {
			return new WorkerQueues(admin, catalog, repository);
		}

		@Bean
		DirectChannel workerRequestChannel() {
			return new DirectChannel();
		}

		@Bean
		StepEndSignals stepEndSignals() {
			return new StepEndSignals();
		}

		/**
		 * This node's reply queue: workers announce a step's end there, so the node's
		 * wait wakes at once (the job repository stays the truth, polled as the
		 * fallback). Exclusive and deleted with the node's connection; declared again on
		 * reconnection.
		 */
		@Bean
		Queue workerReplyQueue() {
			// not AnonymousQueue: its x-queue-leader-locator argument is refused by
			// RabbitMQ before 3.12 for classic queues
			return QueueBuilder.nonDurable(new Base64UrlNamingStrategy("retrain.replies.").generateName())
				.exclusive()
				.autoDelete()
				.build();
		}

		@Bean
		SimpleMessageListenerContainer workerReplyContainer(ConnectionFactory connectionFactory, Queue workerReplyQueue,
				StepEndSignals signals) {
			SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
			container.setQueues(workerReplyQueue);
			container.setAcknowledgeMode(AcknowledgeMode.NONE);
			container.setMessageListener(message -> {
				try {
					signals.ended(Long.parseLong(new String(message.getBody(), StandardCharsets.UTF_8).trim()));
				}
				catch (NumberFormatException ex) {
					// not a reply of ours: the poll covers the step
				}
			});
			return container;
		}

		@Bean
		IntegrationFlow workerRequestFlow(DirectChannel workerRequestChannel, AmqpTemplate amqp, WorkerQueues queues,
				Queue workerReplyQueue) {
			return IntegrationFlow.from(workerRequestChannel)
				.enrichHeaders(h -> h.headerFunction(QUEUE_HEADER,
						m -> queues.queueFor((StepExecutionRequest) m.getPayload())))
				.transform(StepExecutionRequest.class, r -> encode(r, workerReplyQueue.getName()))
				.handle(Amqp.outboundAdapter(amqp)
					.exchangeName("")
					.routingKeyFunction(m -> (String) m.getHeaders().get(QUEUE_HEADER)))
				.get();
		}

		@Bean
		WorkerRequests workerRequests(DirectChannel workerRequestChannel, RetrainProperties props, JdbcTemplate jdbc,
				WorkerQueues queues, RunRecords runs, StepEndSignals signals) {
			return new WorkerRequests(workerRequestChannel, props.workers(), jdbc, queues, runs, signals);
		}

	}

	/** The taking side: this process is a worker for the queues it names. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnExpression("!'${retrain.workers.consume:}'.isBlank()")
	@EnableIntegration
	static class Taking {

		@Bean
		WorkerStepHandler workerStepHandler(JobRepository repository, ConfigurableApplicationContext context,
				PipelineLocks locks, PipelineCatalog catalog, StepClaims claims, RetrainProperties props) {
			Runnable exit = () -> {
				context.getBean("workerContainer", SimpleMessageListenerContainer.class).stop();
				System.exit(SpringApplication.exit(context));
			};
			return new WorkerStepHandler(repository, context, locks.nodeId(), catalog, claims,
					props.workers().maxSteps(), exit);
		}

		@Bean
		SimpleMessageListenerContainer workerContainer(ConnectionFactory connectionFactory, AmqpAdmin admin,
				RetrainProperties props) {
			String[] queues = props.workers()
				.consume()
				.stream()
				.map(WorkerConfiguration::queueName)
				.toArray(String[]::new);
			for (String q : queues) {
				WorkerQueues.declare(admin, q);
			}
			SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
			container.setQueueNames(queues);
			// one step per slot: a long training holds its slot, and the next request
			// waits in the queue for whichever worker frees one first
			container.setPrefetchCount(1);
			container.setConcurrentConsumers(Math.max(1, props.workers().slots()));
			// acknowledged when the step has ended: a worker that dies mid-step leaves
			// the request to another worker
			container.setAcknowledgeMode(AcknowledgeMode.AUTO);
			container.setDefaultRequeueRejected(false);
			return container;
		}

		@Bean
		IntegrationFlow workerStepFlow(SimpleMessageListenerContainer workerContainer, WorkerStepHandler handler,
				AmqpTemplate amqp) {
			return IntegrationFlow.from(Amqp.inboundAdapter(workerContainer))
				.transform(String.class, WorkerConfiguration::decode)
				.handle(Delivered.class, (delivered, headers) -> {
					handler.handle(delivered.request());
					if (delivered.replyTo() != null) {
						// the step has ended in the job repository: wake the node's wait
						try {
							amqp.convertAndSend("", delivered.replyTo(),
									Long.toString(delivered.request().getStepExecutionId()));
						}
						catch (AmqpException ex) {
							log.debug("reply to {} not sent (the node polls): {}", delivered.replyTo(),
									ex.getMessage());
						}
					}
					return null;
				})
				.get();
		}

	}

}
