package dev.retrain.orchestrator.backtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.retrain.models.generator.DriftingStream;
import dev.retrain.models.generator.StreamSpec;
import dev.retrain.orchestrator.cli.CommandFailed;
import dev.retrain.orchestrator.cli.Options;

/**
 * Command {@code generate-stream}: a synthetic stream with concept drift
 * ({@link DriftingStream}) as day partitions, so that a backtest or a pipeline can be
 * tried from a clone with no data of one's own. Every argument is checked before a file
 * is written, and a directory that already holds one of the days is refused rather than
 * mixed with.
 */
public final class GenerateStream {

	/** What {@code generate-stream} takes. */
	public static final String SYNOPSIS = "generate-stream --kind=sea|hyperplane --out=DIR [--days=120] "
			+ "[--rows-per-day=1000] [--start=2024-01-01] [--drift=abrupt|gradual] [--at=DAY,...] "
			+ "[--width=10] [--noise=0.1] [--seed=42]";

	private static final int MAX_DAYS = 36_600;

	private static final int MAX_ROWS_PER_DAY = 10_000_000;

	private GenerateStream() {
	}

	public static void run(List<String> args, PrintStream out) {
		Options o = Options.parse(args,
				Set.of("kind", "out", "days", "rows-per-day", "start", "drift", "at", "width", "noise", "seed"));
		StreamSpec.Kind kind = oneOf(o, "kind", StreamSpec.Kind.class, null);
		o.required("out");
		Path dir = o.directoryToWrite("out", null);
		int days = at(o.positive("days", 120), MAX_DAYS, "days");
		int rowsPerDay = at(o.positive("rows-per-day", 1000), MAX_ROWS_PER_DAY, "rows-per-day");
		LocalDate start = o.date("start", LocalDate.of(2024, 1, 1));
		StreamSpec.Drift drift = oneOf(o, "drift", StreamSpec.Drift.class, StreamSpec.Drift.ABRUPT);
		if (o.has("width") && drift != StreamSpec.Drift.GRADUAL) {
			throw CommandFailed.badArgument("--width is the length of a gradual drift; add --drift=gradual");
		}
		int width = o.positive("width", 10);
		List<Integer> at = driftDays(o, days);
		double noise = noise(o);
		long seed = seed(o);
		StreamSpec spec = new StreamSpec(kind, seed, start, days, rowsPerDay, drift, at, width, noise);
		DriftingStream stream = new DriftingStream(spec);
		stream.firstPresent(dir).ifPresent(day -> {
			throw CommandFailed.badArgument(
					"--out " + dir + " already holds dt=" + day + "; write into a new directory, or remove that one");
		});
		try {
			stream.write(dir);
		}
		catch (AccessDeniedException ex) {
			throw CommandFailed.badArgument("cannot write to --out " + dir + ": permission denied");
		}
		catch (IOException ex) {
			throw CommandFailed.failed("writing into " + dir + " failed: " + Options.reason(ex), ex);
		}
		out.printf(Locale.ROOT, "wrote %d day partitions (%s .. %s, %d rows) of %s to %s%n", days, start,
				spec.lastDay(), (long) days * rowsPerDay, kind.name().toLowerCase(Locale.ROOT), dir);
		out.printf(Locale.ROOT, "columns %s; %s drift at %s%s%n", String.join(", ", spec.columns()),
				drift.name().toLowerCase(Locale.ROOT),
				at.isEmpty() ? "no day"
						: String.join(", ", at.stream().map(d -> "day " + d + " (" + start.plusDays(d) + ")").toList()),
				(drift == StreamSpec.Drift.GRADUAL) ? " over " + width + " days" : "");
	}

	private static <E extends Enum<E>> E oneOf(Options o, String name, Class<E> type, E otherwise) {
		String value = (otherwise == null) ? o.required(name) : o.get(name);
		if (value == null) {
			return otherwise;
		}
		for (E e : type.getEnumConstants()) {
			if (e.name().equalsIgnoreCase(value.strip())) {
				return e;
			}
		}
		List<String> names = new ArrayList<>();
		for (E e : type.getEnumConstants()) {
			names.add(e.name().toLowerCase(Locale.ROOT));
		}
		throw CommandFailed
			.badArgument("--" + name + " '" + Options.shown(value) + "' is not one of " + String.join(", ", names));
	}

	private static int at(int value, int max, String name) {
		if (value > max) {
			throw CommandFailed.badArgument("--" + name + " must be at most " + max + ", got " + value);
		}
		return value;
	}

	/** {@code --at}: the days the concept changes, counted from --start (day 0). */
	private static List<Integer> driftDays(Options o, int days) {
		if (!o.has("at")) {
			return List.of(days / 2).stream().filter(d -> d >= 1).toList();
		}
		List<Integer> at = new ArrayList<>();
		for (String part : o.get("at").split(",", -1)) {
			int day;
			try {
				day = Integer.parseInt(part.strip());
			}
			catch (NumberFormatException ex) {
				throw CommandFailed.badArgument("--at '" + Options.shown(o.get("at"))
						+ "' is not a list of day numbers (e.g. --at=60 or --at=30,60,90)");
			}
			if (day < 1 || day >= days) {
				throw CommandFailed
					.badArgument("--at day " + day + " is not within the stream: a drift day is from 1 to " + (days - 1)
							+ " (day 0 is --start, --days=" + days + ")");
			}
			if (!at.isEmpty() && day <= at.get(at.size() - 1)) {
				throw CommandFailed.badArgument("--at days must rise, got " + Options.shown(o.get("at")));
			}
			at.add(day);
		}
		return at;
	}

	private static double noise(Options o) {
		String value = o.get("noise");
		if (value == null) {
			return 0.1;
		}
		double noise;
		try {
			noise = Double.parseDouble(value.strip());
		}
		catch (NumberFormatException ex) {
			throw CommandFailed.badArgument("--noise '" + Options.shown(value) + "' is not a number");
		}
		if (!(noise >= 0.0 && noise < 0.5)) {
			throw CommandFailed
				.badArgument("--noise is the share of labels flipped, at least 0 and below 0.5, got " + value.strip());
		}
		return noise;
	}

	private static long seed(Options o) {
		String value = o.get("seed");
		if (value == null) {
			return 42L;
		}
		try {
			return Long.parseLong(value.strip());
		}
		catch (NumberFormatException ex) {
			throw CommandFailed.badArgument("--seed '" + Options.shown(value) + "' is not a whole number");
		}
	}

}
