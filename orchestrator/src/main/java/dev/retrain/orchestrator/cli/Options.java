package dev.retrain.orchestrator.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code --name=value} options of a command, checked as they are read: each name is
 * one the command takes, given once, with a value that is not empty; a value that is a
 * number, a date, a file or a directory is checked to be one. Every refusal is a
 * {@link CommandFailed#badArgument} that names the option.
 */
public final class Options {

	private static final int SHOWN_CHARS = 60;

	private final Map<String, String> values;

	private Options(Map<String, String> values) {
		this.values = values;
	}

	/**
	 * Parses {@code args}, each of which must be {@code --name=value} with a known name.
	 */
	public static Options parse(List<String> args, Set<String> names) {
		Map<String, String> values = new LinkedHashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || arg.length() == 2 || arg.charAt(2) == '=') {
				throw CommandFailed.badArgument("unexpected argument '" + shown(arg) + "' (options are --name=value)");
			}
			int eq = arg.indexOf('=');
			String name = arg.substring(2, (eq < 0) ? arg.length() : eq);
			if (!names.contains(name)) {
				throw CommandFailed.badArgument("unknown option --" + shown(name) + " (known: "
						+ String.join(", ", new TreeSet<>(names).stream().map(n -> "--" + n).toList()) + ")");
			}
			if (eq < 0) {
				throw CommandFailed.badArgument("--" + name + " needs a value (--" + name + "=...)");
			}
			String value = arg.substring(eq + 1);
			if (value.isBlank()) {
				throw CommandFailed.badArgument("--" + name + " is empty");
			}
			if (values.putIfAbsent(name, value) != null) {
				throw CommandFailed.badArgument("--" + name + " is given twice");
			}
		}
		return new Options(values);
	}

	public boolean has(String name) {
		return this.values.containsKey(name);
	}

	/** The value, or null when the option is not given. */
	public String get(String name) {
		return this.values.get(name);
	}

	public String required(String name) {
		String value = this.values.get(name);
		if (value == null) {
			throw CommandFailed.badArgument("--" + name + " is required");
		}
		return value;
	}

	/** A whole number of at least 1, or {@code otherwise} when not given. */
	public int positive(String name, int otherwise) {
		String value = this.values.get(name);
		if (value == null) {
			return otherwise;
		}
		int n;
		try {
			n = Integer.parseInt(value.strip());
		}
		catch (NumberFormatException ex) {
			throw CommandFailed.badArgument("--" + name + " '" + shown(value) + "' is not a whole number");
		}
		if (n < 1) {
			throw CommandFailed.badArgument("--" + name + " must be at least 1, got " + n);
		}
		return n;
	}

	/** A date YYYY-MM-DD, or {@code otherwise} when not given. */
	public LocalDate date(String name, LocalDate otherwise) {
		String value = this.values.get(name);
		if (value == null) {
			return otherwise;
		}
		try {
			return LocalDate.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw CommandFailed.badArgument("--" + name + " '" + shown(value) + "' is not a date (YYYY-MM-DD)");
		}
	}

	/** A required path to a file that exists and can be read. */
	public Path file(String name) {
		Path path = path(name, required(name));
		if (Files.isDirectory(path)) {
			throw CommandFailed.badArgument("--" + name + " " + path + " is a directory, not a file");
		}
		if (!Files.exists(path)) {
			throw CommandFailed.badArgument("--" + name + " " + path + ": no such file");
		}
		if (!Files.isReadable(path)) {
			throw CommandFailed.badArgument("--" + name + " " + path + " cannot be read");
		}
		return path;
	}

	/** A directory that exists, or {@code otherwise} when not given. */
	public Path directory(String name, Path otherwise) {
		if (!has(name)) {
			return otherwise;
		}
		Path path = path(name, get(name));
		if (Files.isRegularFile(path)) {
			throw CommandFailed.badArgument("--" + name + " " + path + " is a file, not a directory");
		}
		if (!Files.isDirectory(path)) {
			throw CommandFailed.badArgument("--" + name + " " + path + ": no such directory");
		}
		return path;
	}

	/**
	 * A directory to write into: one that exists, or a path where none is (the command
	 * creates it when it writes); {@code otherwise} when not given.
	 */
	public Path directoryToWrite(String name, Path otherwise) {
		Path path = has(name) ? path(name, get(name)) : otherwise;
		if (Files.exists(path) && !Files.isDirectory(path)) {
			throw CommandFailed.badArgument("--" + name + " " + path + " is a file, not a directory");
		}
		return path;
	}

	/** The text of a file given as option {@code name}, which must be UTF-8. */
	public static String readText(String name, Path file) {
		try {
			return Files.readString(file);
		}
		catch (CharacterCodingException ex) {
			throw CommandFailed.badInput("--" + name + " " + file + ": not UTF-8 text", ex);
		}
		catch (IOException ex) {
			throw CommandFailed.badArgument("--" + name + " " + file + " cannot be read: " + reason(ex));
		}
	}

	private static Path path(String name, String value) {
		try {
			return Path.of(value);
		}
		catch (InvalidPathException ex) {
			throw CommandFailed.badArgument("--" + name + " '" + shown(value) + "' is not a path");
		}
	}

	/** What went wrong with a file, without the exception's class. */
	public static String reason(IOException ex) {
		if (ex instanceof NoSuchFileException) {
			return "no such file or directory";
		}
		if (ex instanceof AccessDeniedException) {
			return "permission denied";
		}
		String reason = (ex.getMessage() != null) ? ex.getMessage() : "input/output error";
		// a file system exception's message is "<file>: <reason>" or "<file> -> <other>:
		// <reason>"
		return ((ex instanceof FileSystemException fs) && fs.getReason() != null) ? fs.getReason() : reason;
	}

	/**
	 * A value as a message shows it: on one line, cut after {@value #SHOWN_CHARS}
	 * characters.
	 */
	public static String shown(String value) {
		String oneLine = value.codePoints()
			.map(c -> Character.isISOControl(c) ? '?' : c)
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
		return (oneLine.length() > SHOWN_CHARS) ? oneLine.substring(0, SHOWN_CHARS) + "..." : oneLine;
	}

}
