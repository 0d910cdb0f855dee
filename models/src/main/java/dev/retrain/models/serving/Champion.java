package dev.retrain.models.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.storage.S3Settings;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;

/**
 * A pipeline's champion, ready to score rows in any JVM application: the version's own
 * encoders and network, loaded from the orchestrator's REST API ({@code http(s)://...})
 * or straight from the model store (a directory or {@code s3://...}). <pre>
 * try (Champion champion = Champion.builder("http://retrain:8080", "churn").apiKey(key).build()) {
 *     Scored s = champion.score(Map.of("tenure", 12.0, "plan", "basic"));
 * }
 * </pre>
 * <p>
 * Thread-safe: any number of threads score at once. When the champion moves (found by
 * polling, {@link Builder#pollEvery}, or by {@link #refresh} called from a webhook), the
 * new version is downloaded, checked against its SHA-256 and loaded while the old one
 * keeps serving, then swapped in at once: a call scores wholly with one version, never
 * with a half-loaded one, and the old version is closed when its last call has returned.
 * A failed refresh leaves the serving version in place.
 * <p>
 * A pipeline with {@code promotion.committee} serves its committee through the API: the
 * download holds every member and the weights, each row is scored by every member with
 * its own encoders and network, and the score is the weighted vote
 * ({@link #committee()}); new weights are a swap like a champion move. A model store read
 * directly serves the committee the same way: the registry writes it beside the alias
 * pointer ({@code <pipeline>/aliases/champion.committee.json}) on every change, and a
 * store without that file serves the alias's version alone.
 */
public final class Champion implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(Champion.class);

	private final String pipeline;

	private final ChampionSource source;

	private final Path work;

	private final boolean ownWork;

	private final AtomicReference<Held> current = new AtomicReference<>();

	private final ScheduledExecutorService poller;

	private final IntConsumer onSwap;

	private final Object refreshing = new Object();

	private volatile String lastError;

	private volatile boolean closed;

	private Champion(Builder b) throws IOException {
		this.pipeline = b.pipeline;
		this.ownWork = b.work == null;
		this.work = this.ownWork ? Files.createTempDirectory("champion-" + b.pipeline + "-") : b.work;
		this.source = isHttp(b.where)
				? new ChampionSource.Api(URI.create(b.where), b.pipeline, b.user, b.password, b.apiKey, this.work)
				: new ChampionSource.Store(b.where, b.pipeline, b.s3, this.work);
		this.onSwap = b.onSwap;
		if (!refresh()) {
			if (this.ownWork) {
				ModelStore.deleteTree(this.work);
			}
			throw new IllegalStateException("no champion of '" + b.pipeline + "' at " + this.source.describe()
					+ ((this.lastError != null) ? ": " + this.lastError : ""));
		}
		if (b.pollEvery != null) {
			this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
				Thread t = new Thread(r, "champion-" + b.pipeline + "-poll");
				t.setDaemon(true);
				return t;
			});
			long every = b.pollEvery.toMillis();
			this.poller.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
		}
		else {
			this.poller = null;
		}
	}

	private static boolean isHttp(String where) {
		return where.startsWith("http://") || where.startsWith("https://");
	}

	/**
	 * The champion of {@code pipeline} from the orchestrator at a base URL (no
	 * credentials) or from a model store; polled every 30 seconds.
	 */
	public static Champion from(String storeUriOrBaseUrl, String pipeline) {
		return builder(storeUriOrBaseUrl, pipeline).build();
	}

	public static Builder builder(String storeUriOrBaseUrl, String pipeline) {
		return new Builder(storeUriOrBaseUrl, pipeline);
	}

	/**
	 * The version serving now: the one the {@code champion} alias names (with a
	 * committee, the committee serves, and this is the version the alias names).
	 */
	public int version() {
		return this.current.get().served.version();
	}

	/**
	 * The serving version's metadata: its features, label, lineage, metrics (with a
	 * committee: that of the version the alias names).
	 */
	public ArtifactMetadata metadata() {
		return this.current.get().served.metadata();
	}

	/**
	 * With a committee champion ({@code promotion.committee}), its members' weights by
	 * version, oldest first, as the registry held them when they were downloaded: every
	 * score is the weighted vote of the members' own predictions. Empty when one version
	 * serves.
	 */
	public Map<Integer, Double> committee() {
		return this.current.get().served.weights();
	}

	/** Why the last refresh failed, or null when it did not. */
	public String lastError() {
		return this.lastError;
	}

	/**
	 * Asks the source now whether the champion moved, and if it did, loads the new
	 * version and swaps it in. Returns whether a version was loaded. Safe to call from a
	 * webhook handler while other threads score; concurrent calls wait for each other.
	 */
	public boolean refresh() {
		synchronized (this.refreshing) {
			if (this.closed) {
				return false;
			}
			Held held = this.current.get();
			ChampionSource.Loaded loaded = (held != null) ? new ChampionSource.Loaded(held.served.version(), held.tag)
					: null;
			try {
				var fetched = this.source.changed(loaded);
				this.lastError = null;
				if (fetched.isEmpty()) {
					return false;
				}
				Held next = new Held(fetched.get().served(), fetched.get().tag(), fetched.get().cleanup());
				Held old = this.current.getAndSet(next);
				if (old != null) {
					log.info("champion of {} moved: v{} -> v{}{} (from {})", this.pipeline, old.served.version(),
							version(), next.served.weights().isEmpty() ? "" : ", committee " + next.served.weights(),
							this.source.describe());
					old.release();
				}
				this.onSwap.accept(next.served.version());
				return true;
			}
			catch (IOException | RuntimeException ex) {
				this.lastError = ex.getMessage();
				log.warn("champion of {}: refresh from {} failed, still serving {}: {}", this.pipeline,
						this.source.describe(), (held != null) ? "v" + held.served.version() : "nothing",
						ex.getMessage());
				return false;
			}
		}
	}

	private void refreshQuietly() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			log.warn("champion of {}: poll failed: {}", this.pipeline, ex.getMessage());
		}
	}

	/** Scores one row: feature name to value (numbers for numeric features). */
	public Scored score(Map<String, ?> row) {
		return score(List.of(row)).get(0);
	}

	/** Scores rows given as maps, in order, all with one version. */
	public List<Scored> score(List<? extends Map<String, ?>> rows) {
		Held held = acquire();
		try {
			Table table = table(held.served.inputs(), rows);
			return scored(held.served, held.served.predict(table));
		}
		finally {
			held.release();
		}
	}

	/**
	 * Scores a table's rows (columns by feature name), all with one version; returns the
	 * raw predictions and the version that made them.
	 */
	public Batch score(Table table) {
		Held held = acquire();
		try {
			for (FeatureEncoding f : held.served.inputs()) {
				if (!table.has(f.name())) {
					throw new IllegalArgumentException("column '" + f.name() + "' is missing: version "
							+ held.served.version() + " of " + this.pipeline + " needs it");
				}
			}
			return new Batch(held.served.version(), held.served.predict(table));
		}
		finally {
			held.release();
		}
	}

	/** A table's predictions and the version that made them. */
	public record Batch(int version, Predictions predictions) {
	}

	private Held acquire() {
		while (true) {
			if (this.closed) {
				throw new IllegalStateException("the champion of " + this.pipeline + " is closed");
			}
			Held held = this.current.get();
			if (held.retain()) {
				return held;
			}
		}
	}

	private static Table table(List<FeatureEncoding> features, List<? extends Map<String, ?>> rows) {
		int n = rows.size();
		Map<String, Column> columns = new LinkedHashMap<>();
		for (FeatureEncoding f : features) {
			if (f.type() == FeatureSpec.FeatureType.NUMERIC) {
				double[] values = new double[n];
				boolean[] nulls = new boolean[n];
				for (int r = 0; r < n; r++) {
					Object v = value(rows.get(r), f.name(), r);
					if (v == null) {
						nulls[r] = true;
					}
					else if (v instanceof Number number) {
						values[r] = number.doubleValue();
					}
					else {
						throw new IllegalArgumentException("row " + r + ": feature '" + f.name() + "' is numeric, got "
								+ v.getClass().getSimpleName() + " '" + v + "'");
					}
				}
				columns.put(f.name(), new NumericColumn(f.name(), values, nulls));
			}
			else {
				String[] values = new String[n];
				for (int r = 0; r < n; r++) {
					Object v = value(rows.get(r), f.name(), r);
					values[r] = (v != null) ? v.toString() : null;
				}
				columns.put(f.name(), new StringColumn(f.name(), values));
			}
		}
		return new Table(columns, n, null, List.of());
	}

	private static Object value(Map<String, ?> row, String feature, int r) {
		if (!row.containsKey(feature)) {
			throw new IllegalArgumentException("row " + r + ": feature '" + feature + "' is missing (null is a value)");
		}
		return row.get(feature);
	}

	private static List<Scored> scored(Served served, Predictions p) {
		int version = served.version();
		List<String> classes = served.metadata().label().classes();
		List<Scored> out = new ArrayList<>(p.rows());
		for (int r = 0; r < p.rows(); r++) {
			if (p.task() == Task.REGRESSION) {
				out.add(new Scored(version, p.scores()[r], null, null));
				continue;
			}
			int k = p.predictedClass(r);
			double[] probabilities = new double[classes.size()];
			for (int c = 0; c < probabilities.length; c++) {
				probabilities[c] = p.probability(r, c);
			}
			double score = (p.task() == Task.BINARY_CLASSIFICATION) ? probabilities[1] : probabilities[k];
			out.add(new Scored(version, score, classes.get(k), probabilities));
		}
		return out;
	}

	@Override
	public void close() {
		synchronized (this.refreshing) {
			this.closed = true;
		}
		if (this.poller != null) {
			this.poller.shutdownNow();
		}
		Held held = this.current.getAndSet(null);
		if (held != null) {
			held.release();
		}
		if (this.ownWork) {
			ModelStore.deleteTree(this.work);
		}
	}

	/**
	 * A loaded version and how many calls use it, plus one for being current: closed when
	 * the count reaches zero, so a swap never closes a version under a running call.
	 */
	private static final class Held {

		final Served served;

		final String tag;

		final Path cleanup;

		private final AtomicInteger refs = new AtomicInteger(1);

		Held(Served served, String tag, Path cleanup) {
			this.served = served;
			this.tag = tag;
			this.cleanup = cleanup;
		}

		boolean retain() {
			while (true) {
				int n = this.refs.get();
				if (n == 0) {
					return false;
				}
				if (this.refs.compareAndSet(n, n + 1)) {
					return true;
				}
			}
		}

		void release() {
			if (this.refs.decrementAndGet() == 0) {
				this.served.close();
				if (this.cleanup != null) {
					ModelStore.deleteTree(this.cleanup);
				}
			}
		}

	}

	/** How to reach the champion, and how often to look for a new one. */
	public static final class Builder {

		private final String where;

		private final String pipeline;

		private String user;

		private String password;

		private String apiKey;

		private S3Settings s3 = S3Settings.DEFAULT;

		private Duration pollEvery = Duration.ofSeconds(30);

		private Path work;

		private IntConsumer onSwap = v -> {
		};

		private Path pluginsDir;

		Builder(String where, String pipeline) {
			this.where = Objects.requireNonNull(where, "where the champion is");
			this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
		}

		/** HTTP Basic credentials for the API (a user with the viewer role). */
		public Builder basicAuth(String user, String password) {
			this.user = user;
			this.password = password;
			return this;
		}

		/** An API key for the API ({@code X-API-Key}). */
		public Builder apiKey(String key) {
			this.apiKey = key;
			return this;
		}

		/** Endpoint and credentials of an {@code s3://} model store. */
		public Builder s3(S3Settings settings) {
			this.s3 = settings;
			return this;
		}

		/** How often to ask whether the champion moved; null: never (webhook only). */
		public Builder pollEvery(Duration every) {
			this.pollEvery = every;
			return this;
		}

		/** Where downloaded versions are unpacked (default: a temporary directory). */
		public Builder workDirectory(Path dir) {
			this.work = dir;
			return this;
		}

		/** Called with the new version after each swap. */
		public Builder onSwap(IntConsumer listener) {
			this.onSwap = listener;
			return this;
		}

		/**
		 * The directory of model plugin jars, for a champion of a plugin's family: loaded
		 * and {@link ModelPlugins#install installed} for the whole JVM when the champion
		 * is built (the plugins of one directory per JVM). A version needs the very jar
		 * that trained it, and is refused, naming that jar, without it.
		 */
		public Builder pluginsDir(Path dir) {
			this.pluginsDir = dir;
			return this;
		}

		/**
		 * Loads the current champion (failing if there is none or it cannot be read) and
		 * starts polling.
		 */
		public Champion build() {
			if (this.pluginsDir != null && !this.pluginsDir.equals(ModelPlugins.installed().directory())) {
				ModelPlugins.install(ModelPlugins.load(this.pluginsDir));
			}
			try {
				return new Champion(this);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
