package dev.retrain.orchestrator.cluster;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.awaitility.core.ConditionTimeoutException;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.orchestrator.BenchArgs;
import dev.retrain.orchestrator.cluster.NodeProcesses.Node;

import static org.awaitility.Awaitility.await;

/**
 * {@code --pipelines} cron schedules (1,000) firing at the same moment on two
 * orchestrator nodes (JVMs of their own, one Quartz cluster on a PostgreSQL database of
 * the benchmark's own), for {@code --slots} slots a minute apart (2): the first slot
 * finds every pipeline idle, the second finds many still running or queued from the
 * first, and the one-run-per-pipeline rule skips those fires.
 * <p>
 * The runs are real and cheap: every pipeline reads the same tiny data (20 days x 25
 * rows, one local directory both nodes read) and trains a one-epoch linear model. The
 * nodes start with the files' crons far away; once both are up the files get the cron of
 * the measured slots ({@code S M1,M2 H * * ?} in UTC, {@code --lead} ahead, on a whole
 * minute unless {@code --lead} is below a minute) and both nodes reload them.
 * <p>
 * For every pipeline and slot the fire's outcome is counted: a run (its run record, run
 * key {@code schedule-<slot>}), a skip (the node's log line) or nothing; the start lag is
 * the run record's creation against the slot (and, second, the run's first step against
 * the slot: how long it queued behind the node's runs). Misfires are what Quartz logs as
 * triggers that missed their fire time. Arguments:
 * {@code --pipelines=1000 --slots=2 --period=60s --lead=150s --jvm=-Xmx1g --node-args="..." --out=DIR};
 * writes {@code cron-fleet.md}.
 */
public final class CronFleetBenchmark {

	static final String API_KEY = "bench-cron-admin";

	static final DateTimeFormatter SLOT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

	static final Pattern SKIPPED = Pattern
		.compile("scheduled retrain of (\\S+) \\(slot (\\d{8}T\\d{6})\\) skipped: (.*)");

	private CronFleetBenchmark() {
	}

	/** What each fire led to, the lags, and the runs' ends. */
	public record Result(int pipelines, List<Instant> slots, int runs, int duplicates, int missing, int skipped,
			Map<String, Integer> skipReasons, int misfired, int couldNotStart, int otherSlots, List<Double> lagMs,
			List<Double> queuedMs, Map<String, Integer> statuses, double drainSeconds, long firedTriggersLeft,
			String markdown) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		Path out = Files.createDirectories(Path.of(a.getOrDefault("out", "target/benchmarks")).toAbsolutePath());
		Result r = run(Integer.parseInt(a.getOrDefault("pipelines", "1000")),
				Integer.parseInt(a.getOrDefault("slots", "2")),
				Duration.parse("PT" + a.getOrDefault("period", "60s").toUpperCase(Locale.ROOT)),
				Duration.parse("PT" + a.getOrDefault("lead", "150s").toUpperCase(Locale.ROOT)),
				a.getOrDefault("jvm", "-Xmx1g"), List.of(a.getOrDefault("node-args", "").split(" +")),
				Boolean.parseBoolean(a.getOrDefault("await-runs", "true")),
				a.containsKey("first-slot") ? Instant.parse(a.get("first-slot")) : null, out);
		System.out.println(r.markdown());
	}

	static String name(int i) {
		return String.format(Locale.ROOT, "c%04d", i);
	}

	static void writeFiles(Path configs, int pipelines, Path data, String cron) {
		for (int i = 0; i < pipelines; i++) {
			PipelineFixtures.write(configs, name(i), PipelineFixtures.yaml(name(i), data.toString(),
					PipelineFixtures.WEAK_MODEL, "schedule:\n  cron: \"" + cron + "\"\n  time-zone: UTC"));
		}
	}

	/**
	 * The slots: {@code count} instants {@code period} apart, the first at least
	 * {@code lead} from now (on a whole minute when the lead is a minute or more); a
	 * minute apart within one hour, or less than a minute apart within one minute.
	 */
	static List<Instant> slots(Instant now, Duration lead, int count, Duration period) {
		ZonedDateTime first = now.plus(lead).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
		if (lead.compareTo(Duration.ofMinutes(1)) >= 0) {
			first = first.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
		}
		if (period.equals(Duration.ofMinutes(1))) {
			if (first.getMinute() + count - 1 > 59) {
				first = first.truncatedTo(ChronoUnit.HOURS).plusHours(1).withSecond(first.getSecond());
			}
		}
		else if (first.getSecond() + period.toSeconds() * (count - 1) > 59) {
			first = first.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
		}
		List<Instant> out = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			out.add(first.plus(period.multipliedBy(i)).toInstant());
		}
		return out;
	}

	/** {@code S M1,M2,... H * * ?} or {@code S1,S2,... M H * * ?}: exactly the slots. */
	static String cron(List<Instant> slots) {
		TreeSet<Integer> seconds = new TreeSet<>();
		TreeSet<Integer> minutes = new TreeSet<>();
		for (Instant s : slots) {
			seconds.add(s.atZone(ZoneOffset.UTC).getSecond());
			minutes.add(s.atZone(ZoneOffset.UTC).getMinute());
		}
		return join(seconds) + " " + join(minutes) + " " + slots.get(0).atZone(ZoneOffset.UTC).getHour() + " * * ?";
	}

	private static String join(Set<Integer> values) {
		return String.join(",", values.stream().map(String::valueOf).toList());
	}

	public static Result run(int pipelines, int slotCount, Duration period, Duration lead, String jvm,
			List<String> nodeArgs, Path out) throws Exception {
		return run(pipelines, slotCount, period, lead, jvm, nodeArgs, true, null, out);
	}

	/**
	 * As above; with {@code awaitRuns} false, the counts are taken once every fire has
	 * its outcome, without waiting for the runs to end (the lags are complete then; the
	 * statuses are not): {@code --await-runs=false}, to measure the launches only. A
	 * {@code firstSlot} (not null: {@code --first-slot=2026-12-06T01:40:00Z}) is the
	 * first slot instead of one {@code lead} after the nodes are up: two benchmarks of
	 * two builds then fire at the same moment, under the same load of the machine.
	 */
	public static Result run(int pipelines, int slotCount, Duration period, Duration lead, String jvm,
			List<String> nodeArgs, boolean awaitRuns, Instant firstSlot, Path out) throws Exception {
		Path root = Files.createTempDirectory(out, "cron-fleet-");
		Path configs = Files.createDirectories(root.resolve("configs"));
		Path data = PipelineFixtures.sampleData(root, "data", 25, 61);
		writeFiles(configs, pipelines, data, "0 0 0 1 1 ?");
		try (FleetDatabase db = FleetDatabase.create(); NodeProcesses processes = db.nodes(root, API_KEY)) {
			processes.jvmOptions(jvm.trim().split("\\s+"));
			// one model store for both nodes: a pipeline's next run may run on the
			// other node and compare with the champion the first one registered
			List<String> args = new ArrayList<>(List.of("--retrain.heartbeat-interval=2s", "--retrain.node-timeout=30s",
					"--retrain.config-watch=1h", "--retrain.store-uri=" + root.resolve("store")));
			nodeArgs.stream().filter(s -> !s.isBlank()).forEach(args::add);
			Node a = processes.start("node-a", false, null, args);
			Node b = processes.start("node-b", false, null, args);
			PipelineFilesBenchmark.awaitReady(a, Duration.ofMinutes(10));
			PipelineFilesBenchmark.awaitReady(b, Duration.ofMinutes(10));
			List<Instant> slots = (firstSlot != null)
					? IntStream.range(0, slotCount).mapToObj(i -> firstSlot.plus(period.multipliedBy(i))).toList()
					: slots(Instant.now(), lead, slotCount, period);
			writeFiles(configs, pipelines, data, cron(slots));
			for (Node n : List.of(a, b)) {
				HttpResponse<String> r = processes.post(n, "/api/pipelines/reload", "");
				if (r.statusCode() != 200) {
					throw new IllegalStateException("reload on " + n.name() + ": " + r.statusCode() + " " + r.body());
				}
			}
			if (Instant.now().isAfter(slots.get(0).minusSeconds(2))) {
				throw new IllegalStateException(
						"the nodes reloaded the files after the first slot " + slots.get(0) + ": give a longer --lead");
			}
			Instant last = slots.get(slots.size() - 1);
			// every fire of every slot has its outcome: a run or a skip
			await().atMost(Duration.between(Instant.now(), last).plus(Duration.ofMinutes(10)))
				.pollInterval(Duration.ofSeconds(2))
				.until(() -> Instant.now().isAfter(last.plusSeconds(5))
						&& outcomes(db, List.of(a, b), slots) >= (long) pipelines * slotCount);
			// and every run ends
			if (awaitRuns) {
				await().atMost(Duration.ofMinutes(30))
					.pollInterval(Duration.ofSeconds(2))
					.until(() -> count(db, "SELECT count(*) FROM retrain_run WHERE ended_at IS NULL") == 0);
			}
			return result(db, List.of(a, b), pipelines, slots, jvm, out);
		}
	}

	static long outcomes(FleetDatabase db, List<Node> nodes, List<Instant> slots) throws Exception {
		long runs = 0;
		for (Instant s : slots) {
			runs += count(db, "SELECT count(*) FROM retrain_run WHERE run_key = 'schedule-" + SLOT.format(s) + "'");
		}
		long skips = 0;
		for (Node n : nodes) {
			skips += SKIPPED.matcher(n.logText()).results().count();
		}
		return runs + skips;
	}

	static long count(FleetDatabase db, String sql) throws Exception {
		try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	static Result result(FleetDatabase db, List<Node> nodes, int pipelines, List<Instant> slots, String jvm, Path out)
			throws Exception {
		// every fire's end is recorded by Quartz (its row of qrtz_fired_triggers
		// deleted),
		// a moment after its outcome
		try {
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> count(db, "SELECT count(*) FROM qrtz_fired_triggers") == 0);
		}
		catch (ConditionTimeoutException ex) {
			// counted below
		}
		long firedLeft = count(db, "SELECT count(*) FROM qrtz_fired_triggers");
		Map<String, Instant> slotByKey = new HashMap<>();
		slots.forEach(s -> slotByKey.put("schedule-" + SLOT.format(s), s));
		Map<String, Integer> perFire = new HashMap<>();
		List<Double> lag = new ArrayList<>();
		List<Double> queued = new ArrayList<>();
		Map<Instant, List<Double>> lagBySlot = new TreeMap<>();
		Map<String, Integer> statuses = new TreeMap<>();
		int otherSlots = 0;
		int runs = 0;
		Instant lastEnd = slots.get(0);
		try (Connection c = db.connect();
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT r.pipeline, r.run_key, r.created_at, r.status, r.ended_at, "
						+ "e.start_time FROM retrain_run r JOIN batch_job_execution e ON e.job_execution_id = r.run_id "
						+ "WHERE r.run_key LIKE 'schedule-%'")) {
			while (rs.next()) {
				Instant slot = slotByKey.get(rs.getString(2));
				if (slot == null) {
					otherSlots++;
					continue;
				}
				runs++;
				perFire.merge(rs.getString(1) + "@" + rs.getString(2), 1, Integer::sum);
				Instant created = rs.getObject(3, OffsetDateTime.class).toInstant();
				lag.add(Duration.between(slot, created).toNanos() / 1e6);
				lagBySlot.computeIfAbsent(slot, k -> new ArrayList<>())
					.add(Duration.between(slot, created).toNanos() / 1e6);
				Timestamp started = rs.getTimestamp(6);
				if (started != null) {
					queued.add(Duration.between(slot, started.toInstant()).toNanos() / 1e6);
				}
				statuses.merge(rs.getString(4), 1, Integer::sum);
				OffsetDateTime ended = rs.getObject(5, OffsetDateTime.class);
				if (ended != null && ended.toInstant().isAfter(lastEnd)) {
					lastEnd = ended.toInstant();
				}
			}
		}
		int skipped = 0;
		int couldNotStart = 0;
		Map<String, Integer> reasons = new TreeMap<>();
		for (Node n : nodes) {
			String log = n.logText();
			Matcher m = SKIPPED.matcher(log);
			while (m.find()) {
				String key = m.group(1) + "@schedule-" + m.group(2);
				if (slotByKey.containsKey("schedule-" + m.group(2))) {
					perFire.merge(key, 1, Integer::sum);
					skipped++;
					reasons.merge(m.group(3).replaceAll("'[^']*'", "'...'").replaceAll("\\d+", "N"), 1, Integer::sum);
				}
			}
			couldNotStart += (int) log.lines().filter(l -> l.contains("could not start")).count();
		}
		int duplicates = (int) perFire.values().stream().filter(v -> v > 1).count();
		int missing = 0;
		for (int i = 0; i < pipelines; i++) {
			for (Instant s : slots) {
				if (!perFire.containsKey(name(i) + "@schedule-" + SLOT.format(s))) {
					missing++;
				}
			}
		}
		lag.sort(Double::compare);
		queued.sort(Double::compare);
		double drain = Duration.between(slots.get(0), lastEnd).toMillis() / 1000.0;
		// a misfire (a fire taken later than Quartz's misfireThreshold) fires "now": its
		// run
		// has the key of another slot than the cron's
		int misfired = otherSlots;
		lagBySlot.values().forEach(l -> l.sort(Double::compare));
		String md = markdown(pipelines, slots, jvm, runs, duplicates, missing, skipped, reasons, misfired,
				couldNotStart, otherSlots, lag, lagBySlot, queued, statuses, drain)
				+ String.format(Locale.ROOT, "Fired triggers whose end Quartz did not record: %d.%n", firedLeft);
		Files.writeString(out.resolve("cron-fleet.md"), md);
		return new Result(pipelines, slots, runs, duplicates, missing, skipped, reasons, misfired, couldNotStart,
				otherSlots, lag, queued, statuses, drain, firedLeft, md);
	}

	static double pct(List<Double> sorted, double p) {
		return sorted.isEmpty() ? Double.NaN : sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
	}

	static String markdown(int pipelines, List<Instant> slots, String jvm, int runs, int duplicates, int missing,
			int skipped, Map<String, Integer> reasons, int misfired, int couldNotStart, int otherSlots,
			List<Double> lag, Map<Instant, List<Double>> lagBySlot, List<Double> queued, Map<String, Integer> statuses,
			double drain) {
		StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
				"%,d cron schedules, %d slot(s) (%s), two node JVMs (`%s`) in one Quartz cluster on "
						+ "PostgreSQL; %s, %d cores, Java %s; at the end: " + FleetDatabase.loadAverage() + "%n%n",
				pipelines, slots.size(), slots, jvm, LocalDate.now(), Runtime.getRuntime().availableProcessors(),
				System.getProperty("java.version")));
		md.append("| fires | runs | skipped (one run per pipeline) | fired twice | missing | misfires | "
				+ "could not start | runs of other slots |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
		md.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %d | %d | %d | %d | %d |%n%n",
				pipelines * slots.size(), runs, skipped, duplicates, missing, misfired, couldNotStart, otherSlots));
		md.append("| start lag, s | p50 | p90 | p99 | max |\n| --- | ---: | ---: | ---: | ---: |\n");
		md.append(String.format(Locale.ROOT, "| slot to run record (the launch) | %.2f | %.2f | %.2f | %.2f |%n",
				pct(lag, 0.5) / 1000, pct(lag, 0.9) / 1000, pct(lag, 0.99) / 1000, pct(lag, 1.0) / 1000));
		for (Map.Entry<Instant, List<Double>> e : lagBySlot.entrySet()) {
			List<Double> l = e.getValue();
			md.append(String.format(Locale.ROOT, "| of which the slot %s (%,d runs) | %.2f | %.2f | %.2f | %.2f |%n",
					e.getKey(), l.size(), pct(l, 0.5) / 1000, pct(l, 0.9) / 1000, pct(l, 0.99) / 1000,
					pct(l, 1.0) / 1000));
		}
		md.append(String.format(Locale.ROOT,
				"| slot to the run's start (queued behind the node's runs) | %.2f | %.2f | %.2f | %.2f |%n%n",
				pct(queued, 0.5) / 1000, pct(queued, 0.9) / 1000, pct(queued, 0.99) / 1000, pct(queued, 1.0) / 1000));
		md.append(String.format(Locale.ROOT, "Run statuses %s; the last run ended %.0f s after the first slot.%n",
				statuses, drain));
		if (!reasons.isEmpty()) {
			md.append("Skips: ").append(reasons).append('\n');
		}
		return md.toString();
	}

}
