package dev.retrain.jobs;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

/**
 * The one redaction every failure text passes before it leaves the server (runs,
 * scorings, label joins, backtests, problem details, console messages): the server's data
 * and configuration directories become {@code <data-dir>} and {@code <config-dir>}, other
 * absolute paths keep only their last segment, and Java class names (qualified, or an
 * exception's simple name before its message) are dropped. A domain failure's own words
 * (file, column, row) stay as they are.
 */
public final class FailureText {

	/** A qualified Java name ({@code java.nio.file.X}, {@code dev.retrain.a.B$C}). */
	private static final Pattern QUALIFIED = Pattern
		.compile("\\b(?:[a-z_][a-z0-9_]*\\.){2,}[A-Z][\\w$]*(?:\\.[A-Z][\\w$]*)*(?::\\s*)?");

	/**
	 * An exception's or error's simple name before its message: {@code IOException: }.
	 */
	private static final Pattern SIMPLE = Pattern.compile("\\b[A-Z][\\w$]*(?:Exception|Error)\\b(?::\\s*)?");

	/**
	 * An absolute path not part of a URI: directories up to the last segment (the segment
	 * stays: it is often the file the user named).
	 */
	private static final Pattern ABSOLUTE = Pattern.compile("(?<![\\w.:/~<>=-])/(?!api/)(?:[^\\s/:'\"<>]+/)+");

	private final List<Map.Entry<String, String>> dirs = new ArrayList<>();

	/** A redaction that knows the server's directories. */
	public FailureText(Path dataDir, Path configDir) {
		add(dataDir, "<data-dir>");
		add(configDir, "<config-dir>");
	}

	public FailureText(RetrainProperties props) {
		this(props.dataDir(), props.configDir());
	}

	private void add(Path dir, String name) {
		if (dir != null) {
			String absolute = dir.toAbsolutePath().normalize().toString();
			if (absolute.length() > 1) {
				this.dirs.add(Map.entry(absolute, name));
			}
		}
	}

	/** {@code text} as anyone may see it; null stays null. */
	public String of(String text) {
		if (text == null) {
			return null;
		}
		String out = text;
		for (Map.Entry<String, String> dir : this.dirs) {
			out = out.replace(dir.getKey(), dir.getValue());
		}
		out = QUALIFIED.matcher(out).replaceAll("");
		out = SIMPLE.matcher(out).replaceAll("");
		Matcher m = ABSOLUTE.matcher(out);
		out = m.replaceAll(".../");
		out = out.strip();
		return out.isEmpty() ? "failed (the server log has the details)" : out;
	}

	/**
	 * The reason of a failure: the first domain exception in the chain speaks for itself
	 * (it names file, column and row); otherwise the innermost message. Redacted.
	 */
	public String of(Throwable failure) {
		return (failure == null) ? null : of(describe(failure));
	}

	/**
	 * Why a job execution failed, in one line: its steps' failure exceptions first, then
	 * the exit descriptions Spring Batch wrote (which start with a stack trace's first
	 * line). Redacted; null when nothing says.
	 */
	public String of(JobExecution execution) {
		for (StepExecution step : execution.getStepExecutions()) {
			if (step.getStatus().isUnsuccessful() && !step.getFailureExceptions().isEmpty()) {
				return of(step.getFailureExceptions().get(0));
			}
		}
		if (!execution.getAllFailureExceptions().isEmpty()) {
			return of(execution.getAllFailureExceptions().get(0));
		}
		String description = execution.getExitStatus().getExitDescription();
		for (StepExecution step : execution.getStepExecutions()) {
			String d = step.getExitStatus().getExitDescription();
			if (step.getStatus().isUnsuccessful() && !d.isBlank()) {
				description = d;
				break;
			}
		}
		String first = description.lines().findFirst().orElse("").strip();
		return first.isEmpty() ? null : of(first);
	}

	/** The message of the first domain exception in the chain, or the innermost one. */
	public static String describe(Throwable ex) {
		Throwable t = ex;
		while (t.getCause() != null && t.getCause() != t && !isDomain(t)) {
			t = t.getCause();
		}
		String message = (t.getMessage() != null && !t.getMessage().isBlank()) ? t.getMessage() : null;
		// the few whose message is only a path or nothing: say what happened in words
		if (t instanceof NoSuchFileException) {
			return "no such file: " + message;
		}
		if (t instanceof AccessDeniedException) {
			return "permission denied: " + message;
		}
		if (t instanceof FileAlreadyExistsException) {
			return "already exists: " + message;
		}
		if (t instanceof OutOfMemoryError) {
			return "out of memory" + ((message != null) ? " (" + message + ")" : "");
		}
		return (message != null) ? message : "failed (the server log has the details)";
	}

	/**
	 * The first line of an exit description (a step's stack trace, as Spring Batch
	 * records a step that failed in another process) without the fully qualified class
	 * names before its message: {@code a.b.SomeException: c.d.TrainingFailed: the reason}
	 * gives {@code the reason}.
	 */
	public static String firstLineInWords(String description) {
		if (description == null || description.isBlank()) {
			return null;
		}
		String line = description.strip().lines().findFirst().orElse("").strip();
		String previous;
		do {
			previous = line;
			line = CLASS_PREFIX.matcher(line).replaceFirst("").strip();
		}
		while (!line.equals(previous));
		return line.isEmpty() ? null : line;
	}

	private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?::|$)");

	private static boolean isDomain(Throwable t) {
		return t.getClass().getName().startsWith("dev.retrain.");
	}

}
