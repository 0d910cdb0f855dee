package dev.retrain.orchestrator;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import dev.retrain.orchestrator.backtest.Commands;
import dev.retrain.orchestrator.backtest.GenerateStream;
import dev.retrain.orchestrator.cli.CommandFailed;
import dev.retrain.orchestrator.cli.Options;
import dev.retrain.orchestrator.security.Credentials;

/**
 * What the executable jar does with its arguments, decided before Spring starts: serve
 * (no command, or only {@code --name=value} options, as Spring Boot takes them), serve as
 * a {@code worker}, or run one of the commands that print and exit. {@code help},
 * {@code --help} and {@code -h} print every command; a first word that is not a command
 * is refused. A command's bad argument, or a file it cannot use, is said on one line with
 * exit code 2, never with a stack trace.
 */
final class CommandLine {

	/** A command: its name, how it is called, and what it does, for the usage. */
	private record Command(String name, String synopsis, String does) {

		static Command of(String name, String takes, String does) {
			return new Command(name, (name + " " + takes).strip(), does);
		}

	}

	private static final String NO_COMMAND = "(no command) ";

	private static final List<Command> COMMANDS = List.of(
			new Command("", NO_COMMAND + "[--name=value ...]",
					"serve the REST API and the console on port 8080 (Spring Boot options, e.g. --server.port=9090)"),
			new Command("", "--demo [--exit]",
					"generate sample data, run one retrain of the sample pipeline and keep serving (--exit: stop after it)"),
			Command.of("worker", "[--retrain.workers.consume=Q1,Q2] [--name=value ...]",
					"take training and evaluation steps from RabbitMQ queues (default queue: default)"),
			new Command("import-csv", Commands.IMPORT_CSV, "turn a CSV into day-partitioned Parquet"),
			new Command("generate-stream", GenerateStream.SYNOPSIS,
					"write a synthetic stream with concept drift (SEA or a rotating hyperplane) as day partitions"),
			new Command("backtest", Commands.BACKTEST,
					"replay retraining policies over a pipeline's history and write a report"),
			Command.of("hash-password", "PASSWORD", "print the bcrypt hash for retrain.security.users[].password"),
			Command.of("hash-api-key", "KEY", "print the SHA-256 for retrain.security.api-keys[].sha256"),
			Command.of("natives", "[--retrain.data-dir=DIR]",
					"extract PyTorch's native libraries into DJL_CACHE_DIR and exit"),
			Command.of("help", "", "print this (also --help, -h)"));

	/** Every command, one line each. */
	static final String USAGE = "usage: java -jar orchestrator.jar [COMMAND] [ARGUMENTS]\n" + COMMANDS.stream()
		.map(c -> String.format("  %-62s %s", c.synopsis(), c.does()))
		.collect(Collectors.joining("\n")) + "\n";

	/**
	 * The demo's settings, below any the user gives: its own summary on standard output,
	 * and the framework's logs only from WARN up, without warnings that mean nothing on a
	 * demo machine: CUDA on a CPU-only machine, Flyway about H2's version, springdoc.
	 * Errors are never hidden; {@code --logging.level.root=INFO} shows everything.
	 */
	static final Map<String, Object> DEMO_DEFAULTS = Map.of("spring.main.banner-mode", "off", "logging.level.root",
			"WARN", "logging.level.ai.djl.util.cuda.CudaUtils", "ERROR",
			"logging.level.org.flywaydb.core.internal.database.base.Database", "ERROR", "logging.level.org.springdoc",
			"ERROR");

	/** bcrypt reads no more than this many bytes of a password. */
	private static final int BCRYPT_MAX_BYTES = 72;

	private CommandLine() {
	}

	/**
	 * What {@code main} does: exit with a code, or start the application with these
	 * arguments and default properties.
	 */
	record Outcome(int exitCode, List<String> serverArgs, Map<String, Object> defaults) {

		static Outcome exit(int code) {
			return new Outcome(code, null, Map.of());
		}

		static Outcome serve(List<String> args, Map<String, Object> defaults) {
			return new Outcome(0, List.copyOf(args), defaults);
		}

		boolean serves() {
			return this.serverArgs != null;
		}

	}

	/**
	 * Runs a command that prints and exits (its output on {@code out}, what went wrong on
	 * {@code err}), or says that the application is to serve.
	 */
	static Outcome run(String[] arguments, PrintStream out, PrintStream err) {
		List<String> args = List.of(arguments);
		if (args.stream().anyMatch(a -> a.equals("--help") || a.equals("-h"))
				|| (!args.isEmpty() && args.get(0).equals("help"))) {
			out.print(USAGE);
			return Outcome.exit(0);
		}
		String name = args.isEmpty() ? "" : args.get(0);
		boolean serving = args.isEmpty() || name.startsWith("--");
		if (!serving && COMMANDS.stream().noneMatch(c -> c.name().equals(name))) {
			err.println("unknown command '" + Options.shown(name) + "'");
			err.print(USAGE);
			return Outcome.exit(2);
		}
		String command = serving ? "" : name;
		if (!serving) {
			// before Spring's logging settings exist, Hadoop's codec pool says at INFO
			// that it made a compressor, and Hibernate Validator its version: not for a
			// command's output
			((Logger) LoggerFactory.getLogger("org.apache.hadoop")).setLevel(Level.WARN);
			((Logger) LoggerFactory.getLogger("org.hibernate.validator")).setLevel(Level.WARN);
		}
		List<String> rest = serving ? args : args.subList(1, args.size());
		try {
			switch (command) {
				case "" -> {
					return Outcome.serve(serverOptions(rest), rest.contains("--demo") ? DEMO_DEFAULTS : Map.of());
				}
				case "worker" -> {
					return Outcome.serve(serverOptions(rest), RetrainApplication.workerDefaults());
				}
				case "import-csv" -> Commands.importCsv(rest, out);
				case "generate-stream" -> GenerateStream.run(rest, out);
				case "backtest" -> Commands.backtest(rest, out);
				case "hash-password" -> out.println(Credentials.hashPassword(secret(rest, "password")));
				case "hash-api-key" -> out.println(Credentials.hashApiKey(secret(rest, "key")));
				case "natives" -> {
					// read by RetrainApplication.configureDjl
					Options.parse(rest, Set.of("retrain.data-dir"));
					RetrainApplication.natives(out);
				}
				default -> throw new IllegalStateException("no code for command " + command);
			}
			return Outcome.exit(0);
		}
		catch (CommandFailed ex) {
			err.println(prefix(command) + oneLine(ex.getMessage()));
			if (ex.showsUsage()) {
				err.println("usage: java -jar orchestrator.jar " + synopsis(command));
			}
			trace(ex, err);
			return Outcome.exit(ex.exitCode());
		}
		catch (RuntimeException ex) {
			err.println(prefix(command) + "failed: "
					+ oneLine((ex.getMessage() != null) ? ex.getMessage() : "an unexpected error")
					+ " (-Dretrain.cli.stacktrace=true shows where)");
			trace(ex, err);
			return Outcome.exit(1);
		}
	}

	/**
	 * The server's arguments: options as Spring Boot takes them, {@code --name=value} or
	 * {@code --name}; a word among them would be ignored by Spring, so it is refused.
	 */
	private static List<String> serverOptions(List<String> args) {
		for (String arg : args) {
			if (!arg.startsWith("--") || arg.length() == 2 || arg.charAt(2) == '=') {
				throw CommandFailed.badArgument("unexpected argument '" + Options.shown(arg)
						+ "' (the server takes options --name=value; commands come first)");
			}
		}
		return args;
	}

	/** The one argument of {@code hash-password} and {@code hash-api-key}. */
	private static String secret(List<String> args, String what) {
		if (args.isEmpty()) {
			throw CommandFailed.badArgument("the " + what + " is missing");
		}
		if (args.size() > 1) {
			throw CommandFailed
				.badArgument("takes one argument, got " + args.size() + " (quote a " + what + " that has spaces)");
		}
		String secret = args.get(0);
		if (secret.isEmpty()) {
			throw CommandFailed.badArgument("the " + what + " is empty");
		}
		if (what.equals("password") && secret.getBytes(StandardCharsets.UTF_8).length > BCRYPT_MAX_BYTES) {
			throw CommandFailed.badArgument(
					"the password is longer than " + BCRYPT_MAX_BYTES + " bytes, which bcrypt cannot hash whole");
		}
		return secret;
	}

	private static String synopsis(String command) {
		return COMMANDS.stream()
			.filter(c -> c.name().equals(command))
			.findFirst()
			.map(c -> c.synopsis().replace(NO_COMMAND, ""))
			.orElse(command);
	}

	private static String prefix(String command) {
		return command.isEmpty() ? "" : command + ": ";
	}

	/**
	 * A message on one line: whatever a file's parser said, over several lines or not.
	 */
	private static String oneLine(String message) {
		return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").replaceAll("\\p{Cntrl}", "?");
	}

	private static void trace(RuntimeException ex, PrintStream err) {
		if (Boolean.getBoolean("retrain.cli.stacktrace")) {
			ex.printStackTrace(err);
		}
	}

}
