package dev.retrain.models.generator;

import java.time.LocalDate;
import java.util.List;

/**
 * What {@link DriftingStream} writes: {@code days} daily partitions from {@code start} of
 * {@code rowsPerDay} rows each, of one {@link Kind} of stream whose concept changes at
 * each of {@code driftDays} (days counted from {@code start}, which is day 0: drift at
 * day 60 means the partition {@code start + 60} is the first of the next concept). An
 * {@link Drift#ABRUPT} drift switches at that day; a {@link Drift#GRADUAL} one moves to
 * the next concept over the {@code widthDays} from it. {@code noise} is the share of
 * labels flipped at random.
 */
public record StreamSpec(Kind kind, long seed, LocalDate start, int days, int rowsPerDay, Drift drift,
		List<Integer> driftDays, int widthDays, double noise) {

	/** The streams there are. */
	public enum Kind {

		/**
		 * SEA concepts (Street and Kim, 2001): {@code attrib1..3} uniform in [0, 10],
		 * label {@code class} 1 when {@code attrib1 + attrib2 <= theta}, theta going 8,
		 * 9, 7, 9.5 (then again) from concept to concept; {@code attrib3} is irrelevant.
		 */
		SEA,

		/**
		 * A rotating hyperplane: {@code x1..x5} uniform in [0, 1], label {@code y} 1 when
		 * {@code w . x >= w . (0.5, ..., 0.5)}; each concept has weights of its own, and
		 * a gradual drift rotates the weights from one concept's to the next.
		 */
		HYPERPLANE

	}

	/** How a concept gives way to the next. */
	public enum Drift {

		ABRUPT, GRADUAL

	}

	public StreamSpec {
		driftDays = List.copyOf(driftDays);
		if (days < 1 || rowsPerDay < 1) {
			throw new IllegalArgumentException("days and rows per day must be at least 1");
		}
		int last = 0;
		for (int d : driftDays) {
			if (d <= last || d >= days) {
				throw new IllegalArgumentException("drift days must rise, each from 1 to " + (days - 1) + ", got "
						+ driftDays.stream().map(String::valueOf).toList());
			}
			last = d;
		}
		if (widthDays < 1) {
			throw new IllegalArgumentException("the width of a gradual drift must be at least 1 day");
		}
		if (!(noise >= 0.0 && noise < 0.5)) {
			throw new IllegalArgumentException("noise must be at least 0 and below 0.5, got " + noise);
		}
	}

	public LocalDate lastDay() {
		return this.start.plusDays(this.days - 1L);
	}

	/** The columns a partition of this stream has, features first and the label last. */
	public List<String> columns() {
		return (this.kind == Kind.SEA) ? List.of("attrib1", "attrib2", "attrib3", "class")
				: List.of("x1", "x2", "x3", "x4", "x5", "y");
	}

}
