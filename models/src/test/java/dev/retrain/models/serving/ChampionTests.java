package dev.retrain.models.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.retrain.models.dataset.Table;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The champion as a library, read from a model store on disk: it scores rows with the
 * version's own encoders and network, swaps atomically when the pointer moves (by
 * {@code refresh()} or by polling) while other threads score, and refuses bad input and
 * bad files with a message naming them, still serving what it served.
 */
class ChampionTests {

	private Path dir;

	private ModelStore store;

	@BeforeEach
	void store() throws IOException {
		this.dir = Files.createTempDirectory("champion-store");
		this.store = new ModelStore(this.dir);
		TinyVersions.write(this.store, "tiny", 1, false);
		this.store.writeAlias("tiny", "champion", 1);
	}

	@AfterEach
	void clean() {
		ModelStore.deleteTree(this.dir);
	}

	private static Map<String, Object> row(double x, String c) {
		Map<String, Object> row = new HashMap<>();
		row.put("x", x);
		row.put("c", c);
		return row;
	}

	@Test
	void scoresRowsWithTheVersionsOwnEncodersAndNetwork() {
		try (Champion champion = Champion.builder(this.dir.toString(), "tiny").pollEvery(null).build();
				ModelArtifact direct = this.store.load("tiny", 1)) {
			assertThat(champion.version()).isEqualTo(1);
			List<Scored> scored = champion.score(List.of(row(3.0, "a"), row(-3.0, "b"), row(2.5, "never seen")));

			assertThat(scored).extracting(Scored::label).containsExactly("1", "0", "1");
			assertThat(scored).allSatisfy(s -> {
				assertThat(s.version()).isEqualTo(1);
				assertThat(s.probabilities()[0] + s.probabilities()[1]).isCloseTo(1.0,
						org.assertj.core.data.Offset.offset(1e-9));
			});
			// the same scores as the stored version loaded directly, column by column
			Table table = TinyVersions.rows(50, 99, false);
			double[] expected = direct.predict(table).scores();
			List<Map<String, Object>> rows = new ArrayList<>();
			for (int r = 0; r < table.rows(); r++) {
				rows.add(row(table.numeric("x").values()[r], table.strings("c").values()[r]));
			}
			assertThat(champion.score(rows)).extracting(Scored::score)
				.containsExactly(java.util.Arrays.stream(expected).boxed().toArray(Double[]::new));
			assertThat(champion.score(table).predictions().scores()).containsExactly(expected);
		}
	}

	@Test
	void movesAtomicallyToTheNewChampionWhileOtherThreadsScore() throws Exception {
		TinyVersions.write(this.store, "tiny", 2, true);
		List<Map<String, Object>> batch = List.of(row(3.0, "a"), row(-3.0, "b"), row(1.5, "a"), row(-1.5, "b"));
		try (Champion champion = Champion.builder(this.dir.toString(), "tiny").pollEvery(null).build()) {
			AtomicBoolean stop = new AtomicBoolean();
			ConcurrentLinkedQueue<List<Scored>> seen = new ConcurrentLinkedQueue<>();
			ExecutorService pool = Executors.newFixedThreadPool(3);
			List<Future<?>> scorers = new ArrayList<>();
			for (int t = 0; t < 3; t++) {
				scorers.add(pool.submit(() -> {
					while (!stop.get()) {
						seen.add(champion.score(batch));
					}
				}));
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > 20);
			this.store.writeAlias("tiny", "champion", 2);
			assertThat(champion.refresh()).isTrue();
			int before = seen.size();
			await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() > before + 20);
			stop.set(true);
			for (Future<?> f : scorers) {
				f.get(30, TimeUnit.SECONDS);
			}
			pool.shutdown();

			assertThat(champion.version()).isEqualTo(2);
			// every call scored wholly with one version: v1's labels or v2's (flipped)
			assertThat(seen).allSatisfy(call -> {
				int version = call.get(0).version();
				assertThat(call).extracting(Scored::version).containsOnly(version);
				assertThat(call).extracting(Scored::label)
					.containsExactlyElementsOf(
							(version == 1) ? List.of("1", "0", "1", "0") : List.of("0", "1", "0", "1"));
			});
			assertThat(seen).extracting(call -> call.get(0).version()).contains(1, 2);
			assertThat(champion.refresh()).as("no move, nothing loaded").isFalse();
		}
	}

	@Test
	void pollingFindsTheMoveWithoutBeingAsked() {
		TinyVersions.write(this.store, "tiny", 2, true);
		List<Integer> swaps = new java.util.concurrent.CopyOnWriteArrayList<>();
		try (Champion champion = Champion.builder(this.dir.toString(), "tiny")
			.pollEvery(Duration.ofMillis(100))
			.onSwap(swaps::add)
			.build()) {
			this.store.writeAlias("tiny", "champion", 2);
			await().atMost(Duration.ofSeconds(30)).until(() -> champion.version() == 2);
			assertThat(champion.score(row(3.0, "a")).label()).isEqualTo("0");
			assertThat(swaps).containsExactly(1, 2);
		}
	}

	@Test
	void badRowsAreRefusedNamingRowAndFeature() {
		try (Champion champion = Champion.builder(this.dir.toString(), "tiny").pollEvery(null).build()) {
			assertThatThrownBy(() -> champion.score(List.of(row(1.0, "a"), Map.of("x", 1.0))))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("row 1: feature 'c' is missing");
			assertThatCode(() -> champion.score(row(Double.NaN, "a"))).doesNotThrowAnyException();
			Map<String, Object> text = row(0, "a");
			text.put("x", "three");
			assertThatThrownBy(() -> champion.score(text)).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("row 0: feature 'x' is numeric, got String 'three'");
			Table missing = new Table(Map.of(), 0, null, List.of());
			assertThatThrownBy(() -> champion.score(missing)).hasMessageContaining("column 'x' is missing");
		}
	}

	@Test
	void aVersionWhoseFilesWereChangedIsNotLoadedAndTheOldOneKeepsServing() throws IOException {
		TinyVersions.write(this.store, "tiny", 2, true);
		Files.write(this.dir.resolve("tiny/2/model.params"), new byte[] { 1, 2, 3 },
				java.nio.file.StandardOpenOption.APPEND);
		try (Champion champion = Champion.builder(this.dir.toString(), "tiny").pollEvery(null).build()) {
			this.store.writeAlias("tiny", "champion", 2);

			assertThat(champion.refresh()).isFalse();

			assertThat(champion.version()).isEqualTo(1);
			assertThat(champion.lastError()).contains("tiny/2/model.params")
				.contains("changed since it was registered");
			assertThat(champion.score(row(3.0, "a")).label()).isEqualTo("1");
		}
	}

	@Test
	void withoutAChampionThereIsNothingToServeAndTheErrorSaysWhere() {
		assertThatThrownBy(() -> Champion.builder(this.dir.toString(), "other").pollEvery(null).build())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("no champion of 'other'")
			.hasMessageContaining("other/aliases/champion.json");
	}

}
