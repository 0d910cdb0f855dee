package dev.retrain.orchestrator.backtest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.retrain.jobs.backtest.BacktestReport;
import dev.retrain.jobs.backtest.Backtester;
import dev.retrain.jobs.backtest.CsvImporter;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.jobs.backtest.ReportWriter;
import dev.retrain.jobs.pipeline.ConfigProblem;
import dev.retrain.jobs.pipeline.PipelineConfigInvalid;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.orchestrator.cli.CommandFailed;
import dev.retrain.orchestrator.cli.Options;

/**
 * Commands of the executable jar that run and exit without starting the server: <pre>
 * import-csv --csv=F --out=DIR [--date-column=C | --start=YYYY-MM-DD --rows-per-day=N]
 * backtest --pipeline=F.yaml --policies=P.yaml [--data-dir=./var] [--out=DIR]
 * </pre> Each checks its arguments and the files they name before it does anything, and
 * says what it cannot use with a {@link CommandFailed}.
 */
public final class Commands {

	/** What {@code import-csv} takes. */
	public static final String IMPORT_CSV = "import-csv --csv=F --out=DIR [--date-column=C | --start=YYYY-MM-DD --rows-per-day=N]";

	/** What {@code backtest} takes. */
	public static final String BACKTEST = "backtest --pipeline=F.yaml --policies=P.yaml [--data-dir=./var] [--out=DIR] [--plugins-dir=DIR]";

	private static final Pattern PERIOD_LINE = Pattern.compile(": period \\d+ of \\d+$");

	private Commands() {
	}

	/** {@code import-csv}: a CSV into day-partitioned Parquet, every row of it. */
	public static void importCsv(List<String> args, PrintStream out) {
		Options o = Options.parse(args, Set.of("csv", "out", "date-column", "start", "rows-per-day"));
		Path csv = o.file("csv");
		o.required("out");
		Path dir = o.directoryToWrite("out", null);
		String dateColumn = o.get("date-column");
		if (dateColumn != null && (o.has("start") || o.has("rows-per-day"))) {
			throw CommandFailed.badArgument("--date-column takes the days from the file; "
					+ "--start and --rows-per-day make synthetic days without it");
		}
		LocalDate start = o.date("start", LocalDate.of(2000, 1, 1));
		int rowsPerDay = o.positive("rows-per-day", 1);
		ConsoleProgress[] bar = { null };
		CsvImporter.Imported imported;
		try {
			List<String> columns = (dateColumn != null) ? CsvImporter.header(csv) : List.of();
			if (dateColumn != null && !columns.contains(dateColumn)) {
				throw CommandFailed.badArgument("--date-column '" + Options.shown(dateColumn) + "' is not a column of "
						+ csv + " (columns: " + Options.shown(String.join(", ", columns)) + ")");
			}
			imported = CsvImporter.importCsv(csv, dir, dateColumn, start, rowsPerDay, (done, total) -> {
				if (bar[0] == null) {
					bar[0] = ConsoleProgress.start("import", "rows", total, out);
				}
				bar[0].stepTo(done);
			});
		}
		catch (IllegalArgumentException ex) {
			throw CommandFailed.badInput(ex.getMessage(), ex);
		}
		catch (AccessDeniedException ex) {
			throw CommandFailed.badArgument("cannot write to --out " + dir + ": permission denied");
		}
		catch (IOException ex) {
			throw CommandFailed.failed("import of " + csv + " into " + dir + " failed: " + Options.reason(ex), ex);
		}
		finally {
			if (bar[0] != null) {
				bar[0].close();
			}
		}
		out.println("wrote " + imported.days() + " day partitions (" + imported.rows() + " rows) to " + dir);
	}

	/** {@code backtest}: replays the policies of a policy file over a pipeline's data. */
	public static void backtest(List<String> args, PrintStream out) {
		Options o = Options.parse(args, Set.of("pipeline", "policies", "data-dir", "out", "plugins-dir"));
		Path pipelineFile = o.file("pipeline");
		if (o.has("plugins-dir")) {
			// model plugins (a pipeline whose model.family is a plugin), as the server's
			// retrain.plugins-dir
			Path plugins = o.directory("plugins-dir", null);
			try {
				ModelPlugins.install(ModelPlugins.load(plugins));
			}
			catch (IllegalStateException | UncheckedIOException ex) {
				throw CommandFailed.badInput("--plugins-dir " + plugins + ": " + ex.getMessage(), ex);
			}
		}
		Path policiesFile = o.file("policies");
		Path dataDir = o.directory("data-dir", Path.of("./var"));
		Path dir = o.directoryToWrite("out", Path.of("var/backtests/" + System.currentTimeMillis()));
		String pipeline = Options.readText("pipeline", pipelineFile);
		PolicyFile policies;
		try {
			policies = PolicyFile.parse(Options.readText("policies", policiesFile));
		}
		catch (PolicyFile.Invalid ex) {
			throw CommandFailed.badInput("--policies " + policiesFile + ": " + problems(ex.problems()), ex);
		}
		Backtester.Request request = policies.request(pipeline, dataDir, dir.resolve("sandboxes"));
		try {
			new Backtester().check(request);
		}
		catch (PipelineConfigInvalid ex) {
			// the pipeline file itself, or a policy's pipeline (its drift section)
			throw CommandFailed
				.badInput(ex.file().startsWith("policy ") ? "--policies " + policiesFile + ": " + ex.getMessage()
						: "--pipeline " + pipelineFile + ": " + problems(ex.problems()), ex);
		}
		catch (IllegalArgumentException ex) {
			throw CommandFailed.badInput(ex.getMessage(), ex);
		}
		BacktestReport report;
		try (PolicyBars bars = new PolicyBars(out)) {
			report = new Backtester().run(request,
					// the bars show the periods; the other lines (a policy's start) stay
					line -> {
						if (!PERIOD_LINE.matcher(line).find()) {
							bars.println(line);
						}
					}, bars);
		}
		try {
			ReportWriter.write(report, dir);
		}
		catch (IOException ex) {
			throw CommandFailed.failed("cannot write the report to " + dir + ": " + Options.reason(ex), ex);
		}
		table(report, out);
		out.println("\nreport: " + dir.resolve("report.html") + " (and report.json, periods.csv)");
	}

	/**
	 * The report's table as the command prints it: a row per policy (per policy and label
	 * delay, with a column for the delay, when the policy file sets one), then the
	 * baselines.
	 */
	static void table(BacktestReport report, PrintStream out) {
		// with a label delay each policy has a row per delay: its name says which, and a
		// column says how many periods late its labels came
		int width = Math.max(14, report.policies().stream().mapToInt(p -> p.name().length()).max().orElse(0));
		boolean delayed = report.policies().stream().anyMatch(p -> p.labelDelayPeriods() > 0);
		String late = delayed ? " %11s" : "%s";
		out.printf(Locale.ROOT, "%n%-" + width + "s %10s %9s %11s %12s %10s %9s" + late + "%n", "policy",
				"mean " + report.metric(), "retrains", "promotions", "rows trained", "training s", "total s",
				delayed ? "labels late" : "");
		for (BacktestReport.PolicyResult p : report.policies()) {
			out.printf(Locale.ROOT, "%-" + width + "s %10.4f %9d %11d %12d %10.1f %9.1f" + late + "%n", p.name(),
					p.meanMetric(), p.retrains(), p.promotions(), p.rowsTrained(), p.trainingMillis() / 1000.0,
					p.totalMillis() / 1000.0, delayed ? String.valueOf(p.labelDelayPeriods()) : "");
		}
		report.baselines()
			.forEach(b -> out.printf(Locale.ROOT, "%-" + width + "s %10.4f   (%s)%n", "baseline", b.meanMetric(),
					b.name()));
	}

	private static String problems(List<ConfigProblem> problems) {
		return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; "));
	}

	/** One progress bar per policy, each closed when its last period is replayed. */
	private static final class PolicyBars implements Backtester.Ticker, AutoCloseable {

		private final PrintStream out;

		private ConsoleProgress current;

		private String policy;

		PolicyBars(PrintStream out) {
			this.out = out;
		}

		@Override
		public void period(String name, int done, int total) {
			if (!name.equals(this.policy)) {
				close();
				this.policy = name;
				this.current = ConsoleProgress.start("policy " + name, "periods", total, this.out);
			}
			this.current.stepTo(done);
		}

		/** A line between bars: a policy's start ends the previous policy's bar. */
		void println(String line) {
			close();
			this.out.println(line);
		}

		@Override
		public void close() {
			if (this.current != null) {
				this.current.close();
				this.current = null;
			}
		}

	}

}
