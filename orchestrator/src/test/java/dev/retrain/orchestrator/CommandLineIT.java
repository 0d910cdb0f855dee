package dev.retrain.orchestrator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.crypto.bcrypt.BCrypt;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.orchestrator.security.Credentials;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's entry point as an operator meets it, in JVMs of their own started in an empty
 * directory: help and an unknown command answer at once, without starting Spring or
 * creating {@code ./var}, and a command's bad argument ends the JVM with exit code 2. The
 * server's and the worker's options still start the application with the same arguments.
 */
class CommandLineIT {

	/** What a JVM that started the server would not do: end by itself. */
	private static final long EXITS_WITHIN_SECONDS = 60;

	@TempDir
	Path cwd;

	@TempDir
	Path logs;

	@ParameterizedTest
	@ValueSource(strings = { "--help", "-h", "help" })
	void helpPrintsEveryCommandOnOneLineAndExitsWithoutStartingTheServer(String help) throws Exception {
		Result r = java(help);

		assertThat(r.exitCode()).as(r.toString()).isZero();
		assertThat(r.out()).isEqualTo(CommandLine.USAGE);
		List<String> lines = r.out().lines().toList();
		for (String command : List.of("(no command)", "--demo", "worker", "import-csv", "generate-stream", "backtest",
				"hash-password", "hash-api-key", "natives", "help")) {
			assertThat(lines).as(command).filteredOn(l -> l.startsWith("  " + command + " ")).hasSize(1);
		}
		assertThat(r.err()).isEmpty();
		assertThat(this.cwd).as("nothing created in the working directory").isEmptyDirectory();
	}

	@Test
	void anUnknownCommandIsNamedWithTheUsageAndExitCode2WithoutStartingTheServer() throws Exception {
		Result r = java("serve", "--server.port=9090");

		assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
		assertThat(r.err()).isEqualTo("unknown command 'serve'\n" + CommandLine.USAGE);
		assertThat(r.out()).isEmpty();
		assertThat(this.cwd).as("nothing created in the working directory").isEmptyDirectory();
	}

	@Test
	void aCommandsBadArgumentEndsTheJvmWithCode2AndOneLine() throws Exception {
		Files.writeString(this.cwd.resolve("in.csv"), "x,label\n1,0\n");

		Result r = java("import-csv", "--csv=in.csv", "--out=out", "--rows-per-day=0");

		assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
		assertThat(r.err().lines()).containsExactly("import-csv: --rows-per-day must be at least 1, got 0",
				"usage: java -jar orchestrator.jar import-csv --csv=F --out=DIR "
						+ "[--date-column=C | --start=YYYY-MM-DD --rows-per-day=N]");
		assertThat(this.cwd.resolve("out")).doesNotExist();
	}

	@Test
	void importCsvWritesEveryRowAndSaysHowMany() throws Exception {
		Files.writeString(this.cwd.resolve("in.csv"), "date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n");

		Result r = java("import-csv", "--csv=in.csv", "--out=out", "--date-column=date");

		assertThat(r.exitCode()).as(r.toString()).isZero();
		assertThat(r.out()).endsWith("wrote 2 day partitions (3 rows) to out\n").doesNotContain("INFO");
		try (Stream<Path> days = Files.list(this.cwd.resolve("out"))) {
			assertThat(days.map(d -> d.getFileName().toString())).containsExactlyInAnyOrder("dt=2024-01-01",
					"dt=2024-01-02");
		}
	}

	@Test
	void generateStreamWritesDayPartitionsWhoseLabelRuleChangesOnTheDriftDay() throws Exception {
		Result r = java("generate-stream", "--kind=sea", "--out=sea", "--days=4", "--rows-per-day=300",
				"--start=2024-03-01", "--at=2", "--noise=0");

		assertThat(r.exitCode()).as(r.toString()).isZero();
		assertThat(r.out()).isEqualTo("wrote 4 day partitions (2024-03-01 .. 2024-03-04, 1200 rows) of sea to sea\n"
				+ "columns attrib1, attrib2, attrib3, class; abrupt drift at day 2 (2024-03-03)\n");
		assertThat(r.err()).isEmpty();
		Path root = this.cwd.resolve("sea");
		assertThat(new PartitionedDirectory(root).days()).containsExactly(LocalDate.of(2024, 3, 1),
				LocalDate.of(2024, 3, 2), LocalDate.of(2024, 3, 3), LocalDate.of(2024, 3, 4));
		for (int d = 0; d < 4; d++) {
			LocalDate day = LocalDate.of(2024, 3, 1 + d);
			Table t = new ParquetTableReader(root).read(new PartitionedDirectory(root).resolve(day, day),
					List.of(ColumnRequest.numeric("attrib1"), ColumnRequest.numeric("attrib2"),
							ColumnRequest.numeric("attrib3"), ColumnRequest.numeric("class")));
			assertThat(t.rows()).isEqualTo(300);
			double theta = (d < 2) ? 8.0 : 9.0;
			double[] a = t.numeric("attrib1").values();
			double[] b = t.numeric("attrib2").values();
			double[] y = t.numeric("class").values();
			for (int i = 0; i < t.rows(); i++) {
				assertThat(y[i]).as("%s row %d", day, i).isEqualTo((a[i] + b[i] <= theta) ? 1.0 : 0.0);
			}
		}

		Result again = java("generate-stream", "--kind=sea", "--out=sea", "--days=10", "--start=2024-02-28");

		assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
		assertThat(again.err().lines().findFirst()).hasValue(
				"generate-stream: --out sea already holds dt=2024-03-01; write into a new directory, or remove that one");
	}

	@Test
	void theServerAndTheDemoTakeSpringOptionsAsGiven() {
		assertThat(CommandLine.run(new String[0], quiet(), quiet())).satisfies(o -> {
			assertThat(o.serves()).isTrue();
			assertThat(o.serverArgs()).isEmpty();
			assertThat(o.defaults()).isEmpty();
		});
		String[] args = { "--demo", "--exit", "--server.port=0", "--spring.profiles.active=postgres",
				"--retrain.security.api-keys[0].roles[0]=admin" };
		assertThat(CommandLine.run(args, quiet(), quiet())).satisfies(o -> {
			assertThat(o.serves()).isTrue();
			assertThat(o.serverArgs()).containsExactly(args);
			assertThat(o.defaults()).isEqualTo(CommandLine.DEMO_DEFAULTS);
		});
	}

	@Test
	void theDemoQuietsTheFrameworkButNeverItsErrors() {
		assertThat(CommandLine.DEMO_DEFAULTS).containsEntry("logging.level.root", "WARN")
			.containsEntry("logging.level.ai.djl.util.cuda.CudaUtils", "ERROR");
		assertThat(CommandLine.DEMO_DEFAULTS).allSatisfy((key, value) -> {
			if (key.startsWith("logging.level.")) {
				assertThat(value).as(key).isIn("WARN", "ERROR");
			}
		});
		// defaults only: the user's options win over them
		assertThat(
				CommandLine.run(new String[] { "--demo", "--logging.level.root=INFO" }, quiet(), quiet()).serverArgs())
			.contains("--logging.level.root=INFO");
	}

	@Test
	void theWorkerServesWithItsDefaultsAndTheOptionsAfterIt() {
		CommandLine.Outcome o = CommandLine.run(new String[] { "worker", "--retrain.workers.consume=gpu" }, quiet(),
				quiet());

		assertThat(o.serves()).isTrue();
		assertThat(o.serverArgs()).containsExactly("--retrain.workers.consume=gpu");
		assertThat(o.defaults()).isEqualTo(RetrainApplication.workerDefaults());
	}

	@Test
	void theHashCommandsPrintWhatTheConfigurationTakes() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

		assertThat(CommandLine.run(new String[] { "hash-password", "s3cret" }, print, quiet()).exitCode()).isZero();
		assertThat(CommandLine.run(new String[] { "hash-api-key", "my-ci-key" }, print, quiet()).exitCode()).isZero();

		List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
		assertThat(lines).hasSize(2);
		assertThat(lines.get(0)).startsWith("{bcrypt}");
		assertThat(BCrypt.checkpw("s3cret", lines.get(0).substring("{bcrypt}".length()))).isTrue();
		assertThat(lines.get(1)).isEqualTo(Credentials.hashApiKey("my-ci-key")).hasSize(64);
	}

	private static PrintStream quiet() {
		return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
	}

	record Result(int exitCode, String out, String err) {
	}

	/**
	 * The jar's entry point in a JVM of its own, in the test's empty directory; port 0 in
	 * case it wrongly started a server.
	 */
	private Result java(String... args) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
						"-cp", System.getProperty("java.class.path"), RetrainApplication.class.getName()));
		cmd.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(this.cwd.toFile())
			.redirectOutput(this.logs.resolve("out").toFile())
			.redirectError(this.logs.resolve("err").toFile());
		pb.environment().put("SERVER_PORT", "0");
		Process p = pb.start();
		boolean exited = p.waitFor(EXITS_WITHIN_SECONDS, TimeUnit.SECONDS);
		if (!exited) {
			p.destroyForcibly().waitFor();
		}
		Result r = new Result(exited ? p.exitValue() : -1, Files.readString(this.logs.resolve("out")),
				Files.readString(this.logs.resolve("err")));
		assertThat(exited).as("the JVM ended by itself within %d s: %s", EXITS_WITHIN_SECONDS, r).isTrue();
		return r;
	}

}
