package dev.retrain.orchestrator.web;

import java.beans.PropertyEditorSupport;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Whole numbers in paths and query strings are decimal digits only: Spring would
 * otherwise read {@code 0x1}, {@code #1} and {@code " 1"} as version 1, so two spellings
 * would name one version and a typo would act on the wrong one.
 */
@ControllerAdvice
class StrictNumbers {

	private static final Pattern WHOLE = Pattern.compile("-?[0-9]{1,19}");

	@InitBinder
	void wholeNumbers(WebDataBinder binder) {
		binder.registerCustomEditor(int.class, new Whole(Integer::valueOf, false));
		binder.registerCustomEditor(Integer.class, new Whole(Integer::valueOf, true));
		binder.registerCustomEditor(long.class, new Whole(Long::valueOf, false));
		binder.registerCustomEditor(Long.class, new Whole(Long::valueOf, true));
	}

	/** Decimal digits, an optional minus, nothing else. */
	private static final class Whole extends PropertyEditorSupport {

		private final Function<String, Number> parse;

		private final boolean nullable;

		Whole(Function<String, Number> parse, boolean nullable) {
			this.parse = parse;
			this.nullable = nullable;
		}

		@Override
		public void setAsText(String text) {
			if (text == null || (text.isEmpty() && this.nullable)) {
				setValue(null);
				return;
			}
			if (!WHOLE.matcher(text).matches()) {
				throw new IllegalArgumentException("'" + text + "' is not a whole number in decimal digits");
			}
			try {
				setValue(this.parse.apply(text));
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("'" + text + "' is out of range", ex);
			}
		}

	}

}
