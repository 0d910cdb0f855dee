package dev.retrain.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;

/**
 * Pipeline files and generated data for tests: small enough that a real run takes
 * seconds.
 */
public final class PipelineFixtures {

	public static final LocalDate START = LocalDate.parse("2024-03-01");

	public static final int DAYS = 20;

	public static final LocalDate LAST = START.plusDays(DAYS - 1L);

	private PipelineFixtures() {
	}

	/**
	 * Writes {@code days} of sample data under {@code <dataDir>/
	 *
	<dir>
	 * }; returns that directory.
	 */
	public static Path sampleData(Path dataDir, String dir, int rowsPerDay, long seed) {
		Path root = dataDir.resolve(dir);
		try {
			new SampleDataGenerator().write(root, SampleDataSpec.stable(START, DAYS, rowsPerDay, seed));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return root;
	}

	/**
	 * A pipeline file over the sample schema; {@code model} is the YAML of the model
	 * section's entries.
	 */
	public static String yaml(String name, String dataPath, String model, String extra) {
		return """
				name: %s
				description: test pipeline
				data:
				  path: %s
				  window-days: 20
				features:
				  - name: tenure_days
				    type: numeric
				    min: 0
				  - name: monthly_spend
				    type: numeric
				  - name: sessions
				    type: numeric
				  - name: support_calls
				    type: numeric
				  - name: plan
				    type: categorical
				  - name: region
				    type: categorical
				label:
				  column: churned
				  task: binary
				  classes: ["0", "1"]
				holdouts:
				  - name: recent
				    type: out-of-time
				    days: 4
				model:
				%s
				validation:
				  min-rows: 200
				  min-rows-per-class: 10
				promotion:
				  metric: roc_auc
				  min-improvement: 0.0
				  guards:
				    - metric: log_loss
				      max-regression: 0.5
				%s
				""".formatted(name, dataPath, model.indent(2).stripTrailing(), extra);
	}

	public static final String GOOD_MODEL = """
			family: mlp
			hidden-layers: [16]
			epochs: 6
			batch-size: 128
			learning-rate: 0.01
			early-stopping:
			  patience: 0
			seed: 7""";

	/** A model that barely trains: one epoch at a tiny learning rate. */
	public static final String WEAK_MODEL = """
			family: linear
			epochs: 1
			batch-size: 512
			learning-rate: 0.00001
			early-stopping:
			  patience: 0
			seed: 3""";

	public static void write(Path configDir, String name, String yaml) {
		try {
			Files.createDirectories(configDir);
			Files.writeString(configDir.resolve(name + ".yaml"), yaml);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
