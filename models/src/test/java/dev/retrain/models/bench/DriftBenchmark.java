package dev.retrain.models.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.retrain.models.drift.DriftStats;

/**
 * One drift check's statistics (KS, Wasserstein, PSI on reference deciles) over
 * {@code ref} reference and {@code cur} current rows of {@code features} numeric
 * features, ours next to numpy/scipy on the very same data ({@code scipy.stats.ks_2samp},
 * {@code scipy.stats.wasserstein_distance}, numpy quantiles and histograms), in the same
 * run. The time counts sorting, as both sides must sort. The values must agree to 1e-9;
 * the run fails otherwise.
 */
public final class DriftBenchmark {

	private DriftBenchmark() {
	}

	static final String PEER = """
			import sys, time, json, numpy as np, scipy.stats as st
			d, ref_n, cur_n, f, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
			ref = np.fromfile(d + '/ref.f64', dtype='<f8').reshape(f, ref_n)
			cur = np.fromfile(d + '/cur.f64', dtype='<f8').reshape(f, cur_n)
			def psi(r, c):
			    edges = np.unique(np.quantile(r, [q / 10 for q in range(1, 10)]))
			    rs = np.maximum(np.bincount(np.searchsorted(edges, r, side='left'), minlength=len(edges) + 1) / len(r), 1e-4)
			    cs = np.maximum(np.bincount(np.searchsorted(edges, c, side='left'), minlength=len(edges) + 1) / len(c), 1e-4)
			    return float(np.sum((cs - rs) * np.log(cs / rs)))
			times = []
			for _ in range(reps):
			    t = time.perf_counter()
			    out = [[float(st.ks_2samp(ref[i], cur[i]).statistic), float(st.wasserstein_distance(ref[i], cur[i])), psi(ref[i], cur[i])] for i in range(f)]
			    times.append(time.perf_counter() - t)
			print(json.dumps({"times": times, "values": out}))
			""";

	/**
	 * Median seconds of ours and of scipy, and the largest disagreement between their
	 * values.
	 */
	public record Result(double oursSeconds, double scipySeconds, double maxAbsDifference, List<Double> ours,
			List<Double> scipy) {

		public double ratio() {
			return this.scipySeconds / this.oursSeconds;
		}

	}

	public static void main(String[] args) throws Exception {
		int ref = Integer.parseInt(args.length > 0 ? args[0] : "1000000");
		int cur = Integer.parseInt(args.length > 1 ? args[1] : "100000");
		int features = Integer.parseInt(args.length > 2 ? args[2] : "20");
		int reps = Integer.parseInt(args.length > 3 ? args[3] : "5");
		Result r = run(Files.createTempDirectory("drift-bench"), ref, cur, features, reps);
		System.out.printf(Locale.ROOT,
				"| drift check: %,d ref x %,d current x %d features (KS, Wasserstein, PSI), 1 thread | %.3f s | %.3f s | numpy/scipy | %.2fx faster | max |diff| %.1e |%n",
				ref, cur, features, r.oursSeconds(), r.scipySeconds(), r.ratio(), r.maxAbsDifference());
	}

	public static Result run(Path dir, int refRows, int curRows, int features, int reps) throws Exception {
		SplittableRandom rnd = new SplittableRandom(5);
		double[][] ref = new double[features][refRows];
		double[][] cur = new double[features][curRows];
		for (int f = 0; f < features; f++) {
			for (int i = 0; i < refRows; i++) {
				ref[f][i] = Math.round(rnd.nextGaussian() * (f + 1) * 1000) / 1000.0;
			}
			double shift = (f % 4 == 0) ? 0.2 : 0.0;
			for (int i = 0; i < curRows; i++) {
				cur[f][i] = Math.round((rnd.nextGaussian() + shift) * (f + 1) * 1000) / 1000.0;
			}
		}
		write(dir.resolve("ref.f64"), ref);
		write(dir.resolve("cur.f64"), cur);
		List<Double> times = new ArrayList<>();
		List<Double> values = null;
		for (int rep = 0; rep <= reps; rep++) {
			long t0 = System.nanoTime();
			values = check(ref, cur);
			if (rep > 0) {
				times.add((System.nanoTime() - t0) / 1e9);
			}
		}
		Path script = dir.resolve("peer.py");
		Files.writeString(script, PEER);
		Process p = new ProcessBuilder("python3", script.toString(), dir.toString(), Integer.toString(refRows),
				Integer.toString(curRows), Integer.toString(features), Integer.toString(reps))
			.redirectErrorStream(true)
			.start();
		String out = new String(p.getInputStream().readAllBytes());
		if (p.waitFor() != 0) {
			throw new IllegalStateException("the scipy peer failed: " + out);
		}
		var peer = dev.retrain.models.json.Json.MAPPER.readTree(out.substring(out.indexOf('{')));
		List<Double> scipyTimes = new ArrayList<>();
		peer.get("times").forEach(t -> scipyTimes.add(t.asDouble()));
		List<Double> scipyValues = new ArrayList<>();
		peer.get("values").forEach(row -> row.forEach(v -> scipyValues.add(v.asDouble())));
		double maxDiff = 0;
		for (int i = 0; i < values.size(); i++) {
			maxDiff = Math.max(maxDiff, Math.abs(values.get(i) - scipyValues.get(i)));
		}
		if (maxDiff > 1e-9) {
			throw new IllegalStateException("statistics differ from scipy by " + maxDiff);
		}
		return new Result(Benchmarks.median(times), Benchmarks.median(scipyTimes), maxDiff, values, scipyValues);
	}

	/**
	 * The statistics of one check, as the drift checker computes them (sort, then linear
	 * merges).
	 */
	static List<Double> check(double[][] ref, double[][] cur) {
		List<Double> out = new ArrayList<>();
		for (int f = 0; f < ref.length; f++) {
			double[] r = ref[f].clone();
			double[] c = cur[f].clone();
			Arrays.sort(r);
			Arrays.sort(c);
			out.add(DriftStats.ks(r, c));
			out.add(DriftStats.wasserstein(r, c));
			out.add(DriftStats.psi(r, c, DriftStats.decileEdges(r)));
		}
		return out;
	}

	private static void write(Path file, double[][] columns) throws IOException {
		try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
			ByteBuffer buf = ByteBuffer.allocate(8 * 4096).order(ByteOrder.LITTLE_ENDIAN);
			for (double[] col : columns) {
				for (double v : col) {
					if (!buf.hasRemaining()) {
						out.write(buf.array(), 0, buf.position());
						buf.clear();
					}
					buf.putDouble(v);
				}
			}
			out.write(buf.array(), 0, buf.position());
		}
	}

}
