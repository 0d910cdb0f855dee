package dev.retrain.orchestrator.web;

import java.util.regex.Pattern;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Whole numbers in paths and query strings are decimal digits only: Spring would
 * otherwise read {@code 0x1}, {@code #1} and {@code " 1"} as version 1, so two spellings
 * would name one version and a typo would act on the wrong one.
 */
@Configuration(proxyBeanMethods = false)
class StrictNumbers implements WebMvcConfigurer {

	private static final Pattern WHOLE = Pattern.compile("-?[0-9]{1,19}");

	@Override
	public void addFormatters(FormatterRegistry registry) {
		registry.addConverter(String.class, Integer.class,
				(Converter<String, Integer>) s -> (s.isEmpty()) ? null : Integer.valueOf(decimal(s)));
		registry.addConverter(String.class, Long.class,
				(Converter<String, Long>) s -> (s.isEmpty()) ? null : Long.valueOf(decimal(s)));
	}

	private static String decimal(String s) {
		if (!WHOLE.matcher(s).matches()) {
			throw new IllegalArgumentException("'" + s + "' is not a whole number in decimal digits");
		}
		return s;
	}

}
