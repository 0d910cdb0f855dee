package dev.retrain.orchestrator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.retrain.jobs.PipelineFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The command line's bad-input table, as {@code HostileInputIT} is the API's: every
 * command with each kind of bad argument (missing, empty, without a value, not a number,
 * zero or negative, a date that is not one, a path that does not exist, a directory where
 * a file is expected and a file where a directory is, an unknown option, a stray word)
 * and with files it cannot use. Each must exit with code 2 and say on one line what is
 * wrong, naming the argument (or the file, line and column), with no stack trace, and
 * leave standard output empty.
 */
class CommandLineBadInputTests {

	static Path dir;

	static String good;

	static String pipeline;

	static String policies;

	static final String MISSING = "no-such-file.csv";

	@BeforeAll
	static void files() throws IOException {
		dir = Files.createTempDirectory("cli-bad-input");
		good = Files.writeString(dir.resolve("good.csv"), "date,x,label\n2024-01-01,1,0\n2024-01-02,2,1\n").toString();
		Files.writeString(dir.resolve("short-date.csv"), "date,x\n2024-01-01,1\n2024-1-1,2\n");
		Files.write(dir.resolve("latin1.csv"), "x,city\n1,Berlin\n2,K\u00f6ln\n".getBytes(StandardCharsets.ISO_8859_1));
		Files.writeString(dir.resolve("twice.csv"), "x,label,x\n1,0,2\n");
		Files.writeString(dir.resolve("unnamed.csv"), "x,,label\n1,2,0\n");
		Files.writeString(dir.resolve("fields.csv"), "x,label\n1,0\n2\n");
		Files.writeString(dir.resolve("empty.csv"), "");
		Files.createDirectories(dir.resolve("a-directory"));
		pipeline = Files
			.writeString(dir.resolve("pipeline.yaml"),
					PipelineFixtures.yaml("cli", "cli-data", PipelineFixtures.GOOD_MODEL, ""))
			.toString();
		policies = Files.writeString(dir.resolve("policies.yaml"), "policies: [{name: n, type: never}]\n").toString();
		Files.writeString(dir.resolve("not-yaml.yaml"), "name: [unclosed\n  features: {\n");
		Files.writeString(dir.resolve("bad-policies.yaml"), "period-days: 0\npolicies: [{name: a, type: weekly}]\n");
		Files.write(dir.resolve("latin1.yaml"), "name: K\u00f6ln\n".getBytes(StandardCharsets.ISO_8859_1));
	}

	@AfterAll
	static void clean() throws IOException {
		try (Stream<Path> files = Files.walk(dir)) {
			files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
		}
	}

	static String in(String name) {
		return dir.resolve(name).toString();
	}

	static String out() {
		return "--out=" + in("out");
	}

	static Stream<Arguments> badArguments() {
		String csv = "--csv=" + good;
		return Stream.of(
				// the server and the words before it
				row("unknown command", "unknown command 'frobnicate'", "frobnicate"),
				row("unknown command that looks like an option", "unknown command '-port=8080'", "-port=8080"),
				row("stray word after the server's options", "unexpected argument 'stray'", "--server.port=0", "stray"),
				row("a bare double dash", "unexpected argument '--'", "--"),
				row("stray word after worker", "worker: unexpected argument 'stray'", "worker", "stray"),
				// import-csv
				row("import-csv without --csv", "import-csv: --csv is required", "import-csv", out()),
				row("import-csv without --out", "import-csv: --out is required", "import-csv", csv),
				row("import-csv with an empty --csv", "import-csv: --csv is empty", "import-csv", "--csv=", out()),
				row("import-csv with --csv without a value", "import-csv: --csv needs a value", "import-csv", "--csv",
						out()),
				row("import-csv with a file that does not exist", "import-csv: --csv " + in(MISSING) + ": no such file",
						"import-csv", "--csv=" + in(MISSING), out()),
				row("import-csv with a directory as --csv",
						"import-csv: --csv " + in("a-directory") + " is a directory, not a file", "import-csv",
						"--csv=" + in("a-directory"), out()),
				row("import-csv with a file as --out", "import-csv: --out " + good + " is a file, not a directory",
						"import-csv", csv, "--out=" + good),
				row("import-csv with a non-numeric --rows-per-day",
						"import-csv: --rows-per-day 'ten' is not a whole number", "import-csv", csv, out(),
						"--rows-per-day=ten"),
				row("import-csv with --rows-per-day=0", "import-csv: --rows-per-day must be at least 1, got 0",
						"import-csv", csv, out(), "--rows-per-day=0"),
				row("import-csv with a negative --rows-per-day",
						"import-csv: --rows-per-day must be at least 1, got -5", "import-csv", csv, out(),
						"--rows-per-day=-5"),
				row("import-csv with a --rows-per-day beyond an int",
						"import-csv: --rows-per-day '99999999999' is not a whole number", "import-csv", csv, out(),
						"--rows-per-day=99999999999"),
				row("import-csv with a short --start", "import-csv: --start '2024-1-1' is not a date (YYYY-MM-DD)",
						"import-csv", csv, out(), "--start=2024-1-1"),
				row("import-csv with an unknown option", "import-csv: unknown option --rows_per_day", "import-csv", csv,
						out(), "--rows_per_day=3"),
				row("import-csv with a word that is not an option", "import-csv: unexpected argument 'in.csv'",
						"import-csv", "in.csv", out()),
				row("import-csv with --csv given twice", "import-csv: --csv is given twice", "import-csv", csv, csv,
						out()),
				row("import-csv with --date-column and --rows-per-day", "import-csv: --date-column takes the days",
						"import-csv", csv, out(), "--date-column=date", "--rows-per-day=2"),
				row("import-csv with a --date-column the file does not have",
						"import-csv: --date-column 'when' is not a column of " + good, "import-csv", csv, out(),
						"--date-column=when"),
				row("import-csv of a short date in the file",
						"import-csv: " + in("short-date.csv") + " line 3, column 1 'date': '2024-1-1' is not a date",
						"import-csv", "--csv=" + in("short-date.csv"), out(), "--date-column=date"),
				row("import-csv of bytes that are not UTF-8",
						"import-csv: " + in("latin1.csv") + " line 3: not UTF-8 text", "import-csv",
						"--csv=" + in("latin1.csv"), out()),
				row("import-csv of a header name given twice",
						"import-csv: " + in("twice.csv") + ": header column 3 'x' has the name of column 1",
						"import-csv", "--csv=" + in("twice.csv"), out()),
				row("import-csv of an empty header name",
						"import-csv: " + in("unnamed.csv") + ": header column 2 has no name", "import-csv",
						"--csv=" + in("unnamed.csv"), out()),
				row("import-csv of a line with too few fields",
						"import-csv: " + in("fields.csv") + " line 3: 1 fields, header has 2", "import-csv",
						"--csv=" + in("fields.csv"), out()),
				row("import-csv of an empty file", "import-csv: " + in("empty.csv") + " is empty", "import-csv",
						"--csv=" + in("empty.csv"), out()),
				// generate-stream
				row("generate-stream without --kind", "generate-stream: --kind is required", "generate-stream", out()),
				row("generate-stream of an unknown kind",
						"generate-stream: --kind 'stagger' is not one of sea, hyperplane", "generate-stream",
						"--kind=stagger", out()),
				row("generate-stream without --out", "generate-stream: --out is required", "generate-stream",
						"--kind=sea"),
				row("generate-stream with a file as --out", "generate-stream: --out " + good + " is a file",
						"generate-stream", "--kind=sea", "--out=" + good),
				row("generate-stream with --days=0", "generate-stream: --days must be at least 1, got 0",
						"generate-stream", "--kind=sea", out(), "--days=0"),
				row("generate-stream with an unknown drift",
						"generate-stream: --drift 'sudden' is not one of abrupt, gradual", "generate-stream",
						"--kind=sea", out(), "--drift=sudden"),
				row("generate-stream with a drift day beyond the stream",
						"generate-stream: --at day 30 is not within the stream: a drift day is from 1 to 29",
						"generate-stream", "--kind=sea", out(), "--days=30", "--at=30"),
				row("generate-stream with drift days out of order", "generate-stream: --at days must rise, got 20,10",
						"generate-stream", "--kind=sea", out(), "--days=30", "--at=20,10"),
				row("generate-stream with a drift day that is not a number",
						"generate-stream: --at 'day5' is not a list of day numbers", "generate-stream", "--kind=sea",
						out(), "--at=day5"),
				row("generate-stream with --width of an abrupt drift",
						"generate-stream: --width is the length of a gradual drift", "generate-stream", "--kind=sea",
						out(), "--width=5"),
				row("generate-stream with noise of a half",
						"generate-stream: --noise is the share of labels flipped, at least 0 and below 0.5, got 0.5",
						"generate-stream", "--kind=sea", out(), "--noise=0.5"),
				row("generate-stream with noise that is not a number",
						"generate-stream: --noise 'lots' is not a number", "generate-stream", "--kind=sea", out(),
						"--noise=lots"),
				row("generate-stream with a seed that is not a number",
						"generate-stream: --seed '1.5' is not a whole number", "generate-stream", "--kind=sea", out(),
						"--seed=1.5"),
				// backtest
				row("backtest without --pipeline", "backtest: --pipeline is required", "backtest",
						"--policies=" + policies),
				row("backtest without --policies", "backtest: --policies is required", "backtest",
						"--pipeline=" + pipeline),
				row("backtest with an empty --pipeline", "backtest: --pipeline is empty", "backtest", "--pipeline=",
						"--policies=" + policies),
				row("backtest with a --pipeline that does not exist",
						"backtest: --pipeline " + in(MISSING) + ": no such file", "backtest",
						"--pipeline=" + in(MISSING), "--policies=" + policies),
				row("backtest with a directory as --policies",
						"backtest: --policies " + in("a-directory") + " is a directory, not a file", "backtest",
						"--pipeline=" + pipeline, "--policies=" + in("a-directory")),
				row("backtest with a --data-dir that does not exist",
						"backtest: --data-dir " + in("no-such-dir") + ": no such directory", "backtest",
						"--pipeline=" + pipeline, "--policies=" + policies, "--data-dir=" + in("no-such-dir")),
				row("backtest with a --plugins-dir that does not exist",
						"backtest: --plugins-dir " + in("no-such-dir") + ": no such directory", "backtest",
						"--pipeline=" + pipeline, "--policies=" + policies, "--plugins-dir=" + in("no-such-dir")),
				row("backtest with a file as --data-dir", "backtest: --data-dir " + good + " is a file", "backtest",
						"--pipeline=" + pipeline, "--policies=" + policies, "--data-dir=" + good),
				row("backtest with a file as --out", "backtest: --out " + good + " is a file", "backtest",
						"--pipeline=" + pipeline, "--policies=" + policies, "--out=" + good),
				row("backtest with an unknown option", "backtest: unknown option --period-days", "backtest",
						"--pipeline=" + pipeline, "--policies=" + policies, "--period-days=7"),
				row("backtest of a pipeline file that is not YAML",
						"backtest: --pipeline " + in("not-yaml.yaml") + ": not valid YAML", "backtest",
						"--pipeline=" + in("not-yaml.yaml"), "--policies=" + policies, "--data-dir=" + dir),
				row("backtest of a pipeline file that is not UTF-8",
						"backtest: --pipeline " + in("latin1.yaml") + ": not UTF-8 text", "backtest",
						"--pipeline=" + in("latin1.yaml"), "--policies=" + policies),
				row("backtest of a policy file that breaks its rules",
						"backtest: --policies " + in("bad-policies.yaml")
								+ ": field 'policies[0].type': policy 'a': 'weekly' is not one of",
						"backtest", "--pipeline=" + pipeline, "--policies=" + in("bad-policies.yaml")),
				row("backtest without the pipeline's data", "backtest: the pipeline's data:", "backtest",
						"--pipeline=" + pipeline, "--policies=" + policies, "--data-dir=" + dir),
				// hash-password, hash-api-key
				row("hash-password without a password", "hash-password: the password is missing", "hash-password"),
				row("hash-password with an empty password", "hash-password: the password is empty", "hash-password",
						""),
				row("hash-password with two words", "hash-password: takes one argument, got 2", "hash-password", "a",
						"b"),
				row("hash-password with a password bcrypt would cut",
						"hash-password: the password is longer than 72 bytes", "hash-password", "p".repeat(73)),
				row("hash-api-key without a key", "hash-api-key: the key is missing", "hash-api-key"),
				row("hash-api-key with an empty key", "hash-api-key: the key is empty", "hash-api-key", ""),
				row("hash-api-key with two words", "hash-api-key: takes one argument, got 2", "hash-api-key", "a", "b"),
				// natives
				row("natives with a word", "natives: unexpected argument 'extra'", "natives", "extra"),
				row("natives with an unknown option", "natives: unknown option --cache", "natives", "--cache=/tmp"));
	}

	static Arguments row(String name, String says, String... args) {
		return arguments(name, says, args);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badArguments")
	void exitsWithCode2AndOneLineNamingTheArgumentWithoutAStackTrace(String name, String says, String[] args) {
		Result r = run(args);

		assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
		List<String> lines = r.err().lines().toList();
		assertThat(lines).as(r.toString()).isNotEmpty();
		assertThat(lines.get(0)).as(r.toString()).startsWith(says);
		// then the usage of the command, or of all commands for an unknown one; nothing
		// else
		List<String> after = lines.subList(1, lines.size());
		assertThat(
				(after.size() <= 1) ? after.stream().allMatch(l -> l.startsWith("usage: java -jar orchestrator.jar "))
						: (String.join("\n", after) + "\n").equals(CommandLine.USAGE))
			.as(r.toString())
			.isTrue();
		assertThat(r.out() + r.err()).as(r.toString())
			.doesNotContain("Exception")
			.doesNotContain("\tat ")
			.doesNotContain("at dev.")
			.doesNotContain("java.");
		assertThat(r.out()).as(r.toString()).isEmpty();
		assertThat(dir.resolve("out")).as(r.toString()).doesNotExist();
	}

	record Result(int exitCode, String out, String err) {
	}

	/**
	 * The jar's entry point in this JVM, its output captured: {@code main} exits with the
	 * code and prints the same streams.
	 */
	private static Result run(String[] args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		CommandLine.Outcome outcome = CommandLine.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		assertThat(outcome.serves()).as("serves with %s", List.of(args)).isFalse();
		return new Result(outcome.exitCode(), out.toString(StandardCharsets.UTF_8),
				err.toString(StandardCharsets.UTF_8));
	}

}
