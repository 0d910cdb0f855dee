package dev.retrain.orchestrator.console;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.registry.PromotionConflict;

/**
 * How a console form ends: a redirect where the action says, or back to its page with the
 * refusal explained in a flash message ({@link FailureText}: no class name or server
 * path).
 */
@Component
class ConsoleActions {

	private static final Logger log = LoggerFactory.getLogger(ConsoleActions.class);

	private final FailureText text;

	ConsoleActions(FailureText text) {
		this.text = text;
	}

	/** An action of a form: returns where to go next. */
	interface Action {

		String run() throws Exception;

	}

	/**
	 * Runs an action; redirects where it says, or back with its refusal explained (a
	 * stale page's compare-and-set conflict says what changed).
	 */
	String act(RedirectAttributes flash, String back, Action action) {
		try {
			return "redirect:" + action.run();
		}
		catch (PromotionConflict ex) {
			flash.addFlashAttribute("error",
					"Refused (409): " + this.text.of(ex.getMessage())
							+ ". Someone changed the champion after this page was loaded; nothing was changed. "
							+ "The page now shows the current state: check it and decide again.");
			return "redirect:" + back;
		}
		catch (Exception ex) {
			if (!ex.getClass().getName().startsWith("dev.retrain.") && !(ex instanceof IllegalArgumentException)) {
				log.error("console action failed", ex);
				flash.addFlashAttribute("error",
						"Failed: an unexpected error occurred; the server log has the details");
			}
			else {
				flash.addFlashAttribute("error", "Refused: " + this.text.of(ex.getMessage()));
			}
			return "redirect:" + back;
		}
	}

	/** An optional date field of a form ({@code 2024-03-20}); null when blank. */
	static LocalDate date(String field, String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return LocalDate.parse(value.strip());
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(field + " must be a date like 2024-03-20, not '" + value + "'");
		}
	}

	/** The reason a form asks for, stripped; refused when blank. */
	static String required(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("a reason is required");
		}
		return reason.strip();
	}

}
