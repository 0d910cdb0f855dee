package dev.retrain.orchestrator.notifications;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.retry.RetryException;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The executor of asynchronous event listeners (webhook deliveries). Named
 * {@code taskExecutor}, so that {@code @Async} (which Spring Modulith enables for its
 * listeners) uses it rather than the batch runs' executor: a slow receiver then never
 * holds a thread a retrain needs. A delivery whose tries all failed has said so in one
 * line already ({@link WebhookDelivery}); its exception only marks the publication
 * failed.
 */
@Configuration(proxyBeanMethods = false)
class NotificationsConfiguration implements AsyncConfigurer {

	private static final Logger log = LoggerFactory.getLogger(NotificationsConfiguration.class);

	@Override
	public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
		return (ex, method, params) -> {
			if (ex instanceof RetryException) {
				log.debug("{} failed: {}", method.getName(), ex.getMessage());
			}
			else {
				log.error("asynchronous {} failed", method.getName(), ex);
			}
		};
	}

	@Bean
	ThreadPoolTaskExecutor taskExecutor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix("events-");
		executor.setCorePoolSize(2);
		executor.setMaxPoolSize(2);
		executor.setQueueCapacity(10_000);
		executor.setWaitForTasksToCompleteOnShutdown(false);
		return executor;
	}

}
