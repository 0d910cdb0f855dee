package dev.retrain.orchestrator.web;

import java.time.LocalDate;

import com.fasterxml.jackson.annotation.JsonFormat;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Dates in requests are ISO strings only: {@code "asOf": 12345} would otherwise be read
 * as an epoch day (1 Oct 2003), which no client means.
 */
@Configuration(proxyBeanMethods = false)
class StrictDates {

	@Bean
	JsonMapperBuilderCustomizer strictLocalDates() {
		return builder -> builder.withConfigOverride(LocalDate.class,
				o -> o.setFormat(JsonFormat.Value.forLeniency(false)));
	}

}
