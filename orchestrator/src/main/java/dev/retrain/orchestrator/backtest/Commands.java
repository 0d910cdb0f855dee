package dev.retrain.orchestrator.backtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.retrain.jobs.backtest.BacktestReport;
import dev.retrain.jobs.backtest.Backtester;
import dev.retrain.jobs.backtest.CsvImporter;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.jobs.backtest.ReportWriter;

/**
 * Commands of the executable jar that run and exit without starting the server: <pre>
 * import-csv --csv=F --out=DIR [--date-column=C | --start=YYYY-MM-DD --rows-per-day=N]
 * backtest --pipeline=F.yaml --policies=P.yaml [--data-dir=./var] [--out=DIR]
 * </pre>
 */
public final class Commands {

	/** What the commands take, printed for {@code --help} and with a usage error. */
	public static final String USAGE = """
			usage:
			  java -jar orchestrator.jar import-csv --csv=F --out=DIR [--date-column=C | --start=YYYY-MM-DD --rows-per-day=N]
			  java -jar orchestrator.jar backtest --pipeline=F.yaml --policies=P.yaml [--data-dir=./var] [--out=DIR]""";

	private Commands() {
	}

	/** A command's arguments that cannot be used: said without a stack trace. */
	public static final class UsageError extends RuntimeException {

		UsageError(String message, Throwable cause) {
			super(message, cause);
		}

	}

	/** Runs a command if {@code args} name one; returns false otherwise. */
	public static boolean run(String[] args) throws Exception {
		if (args.length == 0 || !(args[0].equals("import-csv") || args[0].equals("backtest"))) {
			return false;
		}
		Map<String, String> a = new LinkedHashMap<>();
		for (int i = 1; i < args.length; i++) {
			String[] kv = args[i].replaceFirst("^--", "").split("=", 2);
			a.put(kv[0], (kv.length > 1) ? kv[1] : "true");
		}
		if (a.containsKey("help") || a.containsKey("h")) {
			System.out.println(USAGE);
			return true;
		}
		try {
			return command(args[0], a);
		}
		catch (IllegalArgumentException | java.time.format.DateTimeParseException
				| java.nio.file.NoSuchFileException ex) {
			String message = (ex instanceof java.nio.file.NoSuchFileException) ? "no such file: " + ex.getMessage()
					: ex.getMessage();
			throw new UsageError(args[0] + ": " + message, ex);
		}
	}

	private static boolean command(String name, Map<String, String> a) throws Exception {
		String[] args = { name };
		if (args[0].equals("import-csv")) {
			ConsoleProgress[] bar = { null };
			CsvImporter.Imported imported;
			try {
				imported = CsvImporter.importCsv(Path.of(require(a, "csv")), Path.of(require(a, "out")),
						a.get("date-column"), LocalDate.parse(a.getOrDefault("start", "2000-01-01")),
						Integer.parseInt(a.getOrDefault("rows-per-day", "1")), (done, total) -> {
							if (bar[0] == null) {
								bar[0] = ConsoleProgress.start("import", "rows", total);
							}
							bar[0].stepTo(done);
						});
			}
			finally {
				if (bar[0] != null) {
					bar[0].close();
				}
			}
			System.out.println(
					"wrote " + imported.days() + " day partitions (" + imported.rows() + " rows) to " + a.get("out"));
			return true;
		}
		PolicyFile policies = PolicyFile.parse(Files.readString(Path.of(require(a, "policies"))));
		Path out = Path.of(a.getOrDefault("out", "var/backtests/" + System.currentTimeMillis()));
		BacktestReport report;
		try (PolicyBars bars = new PolicyBars()) {
			report = new Backtester().run(
					policies.request(Files.readString(Path.of(require(a, "pipeline"))),
							Path.of(a.getOrDefault("data-dir", "./var")), out.resolve("sandboxes")),
					// the bars show the periods; the other lines (a policy's start) stay
					line -> {
						if (!PERIOD_LINE.matcher(line).find()) {
							bars.println(line);
						}
					}, bars);
		}
		ReportWriter.write(report, out);
		System.out.printf(Locale.ROOT, "%n%-14s %10s %9s %11s %12s %10s %9s%n", "policy", "mean " + report.metric(),
				"retrains", "promotions", "rows trained", "training s", "total s");
		for (BacktestReport.PolicyResult p : report.policies()) {
			System.out.printf(Locale.ROOT, "%-14s %10.4f %9d %11d %12d %10.1f %9.1f%n", p.name(), p.meanMetric(),
					p.retrains(), p.promotions(), p.rowsTrained(), p.trainingMillis() / 1000.0,
					p.totalMillis() / 1000.0);
		}
		report.baselines()
			.forEach(
					b -> System.out.printf(Locale.ROOT, "%-14s %10.4f   (%s)%n", "baseline", b.meanMetric(), b.name()));
		System.out.println("\nreport: " + out.resolve("report.html") + " (and report.json, periods.csv)");
		return true;
	}

	private static final java.util.regex.Pattern PERIOD_LINE = java.util.regex.Pattern
		.compile(": period \\d+ of \\d+$");

	/** One progress bar per policy, each closed when its last period is replayed. */
	private static final class PolicyBars implements Backtester.Ticker, AutoCloseable {

		private ConsoleProgress current;

		private String policy;

		@Override
		public void period(String name, int done, int total) {
			if (!name.equals(this.policy)) {
				close();
				this.policy = name;
				this.current = ConsoleProgress.start("policy " + name, "periods", total);
			}
			this.current.stepTo(done);
		}

		/** A line between bars: a policy's start ends the previous policy's bar. */
		void println(String line) {
			close();
			System.out.println(line);
		}

		@Override
		public void close() {
			if (this.current != null) {
				this.current.close();
				this.current = null;
			}
		}

	}

	private static String require(Map<String, String> a, String key) {
		String v = a.get(key);
		if (v == null) {
			throw new IllegalArgumentException("--" + key + " is required");
		}
		return v;
	}

}
