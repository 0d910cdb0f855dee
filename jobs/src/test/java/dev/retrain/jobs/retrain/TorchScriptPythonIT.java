package dev.retrain.jobs.retrain;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.TorchScriptFixtures;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The stored champion of a TorchScript pipeline is a module Python's torch loads
 * ({@code torch.jit.load}) and that gives the JVM's scores. Needs Debian's
 * {@code python3-torch} at {@code /usr/bin/python3} ({@code .ci/run} installs it).
 */
class TorchScriptPythonIT extends RetrainTestSupport {

	static final String PYTHON = """
			import sys, numpy, torch
			module = torch.jit.load(sys.argv[1])
			module.eval()
			rows, width = int(sys.argv[3]), int(sys.argv[4])
			x = torch.from_numpy(numpy.fromfile(sys.argv[2], dtype='<f4').reshape(rows, width))
			with torch.no_grad():
			    scores = torch.sigmoid(module(x).reshape(rows))
			scores.numpy().astype('<f8').tofile(sys.argv[5])
			""";

	@BeforeAll
	static void pythonTorchInstalled() throws Exception {
		boolean installed;
		try {
			Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, numpy")
				.redirectErrorStream(true)
				.start();
			installed = probe.waitFor(2, TimeUnit.MINUTES) && probe.exitValue() == 0;
		}
		catch (IOException ex) {
			installed = false;
		}
		if (!installed && "true".equals(System.getenv("CI"))) {
			throw new IllegalStateException(
					"CI requires Python's torch at /usr/bin/python3 (.ci/run installs " + "python3-torch)");
		}
		Assumptions.assumeTrue(installed,
				"no torch for /usr/bin/python3: the Python round trip is skipped (apt-get install python3-torch)");
	}

	@Test
	void theStoredChampionScoresTheSameInPythonsTorch() throws Exception {
		sampleData(DATA_DIR, "ts-python", 150, 21);
		TorchScriptFixtures.copy("mlp_w17_o1.pt", DATA_DIR.resolve("modules/python.pt"));
		definePipeline("ts-python", TorchScriptFixtures.yaml("ts-python", "ts-python", "modules/python.pt", ""));
		RunRecord run = run("ts-python", LAST, null);
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		int version = this.registry.champion("ts-python").orElseThrow();

		PipelineDefinition def = this.catalog.get("ts-python");
		Path root = DATA_DIR.resolve("ts-python");
		Table holdout = new ParquetTableReader(root).read(
				new PartitionedDirectory(root).resolve(LAST.minusDays(3), LAST),
				WindowPlan.columns(def, List.<FeatureSpec>of()));
		double[] jvm;
		float[] encoded;
		try (ModelArtifact champion = this.store.load("ts-python", version)) {
			jvm = champion.predict(holdout).scores();
			encoded = champion.encoder().encode(holdout);
		}
		Path dir = Files.createTempDirectory("ts-python");
		Path input = dir.resolve("x.f32");
		try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(input))) {
			ByteBuffer bytes = ByteBuffer.allocate(encoded.length * 4).order(ByteOrder.LITTLE_ENDIAN);
			bytes.asFloatBuffer().put(encoded);
			out.write(bytes.array());
		}
		Path script = Files.writeString(dir.resolve("score.py"), PYTHON);
		Path output = dir.resolve("scores.f64");
		Path module = this.store.versionDir("ts-python", version).resolve(ModelStore.PARAMS);

		Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), module.toString(), input.toString(),
				Integer.toString(holdout.rows()), "17", output.toString())
			.redirectErrorStream(true)
			.start();
		assertThat(python.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS)).isTrue();
		String log = new String(python.getInputStream().readAllBytes());
		assertThat(python.exitValue()).as(log).isZero();

		double[] py = read(output, holdout.rows());
		assertThat(jvm).hasSize(py.length);
		for (int i = 0; i < py.length; i++) {
			assertThat(jvm[i]).as("row %d", i).isCloseTo(py[i], within(1e-5));
		}
	}

	private static double[] read(Path file, int rows) throws IOException {
		ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
		double[] values = new double[rows];
		bytes.asDoubleBuffer().get(values);
		return values;
	}

}
