package dev.retrain.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The tiny TorchScript modules of {@code models/src/test/resources/torchscript} (made by
 * a real PyTorch with its {@code make_fixtures.py}), and the sample schema with fixed
 * categories that they take: 17 encoded columns.
 */
public final class TorchScriptFixtures {

	/** The fixtures, from a module's directory (Maven runs tests there). */
	public static final Path DIR = Path.of("..", "models", "src", "test", "resources", "torchscript")
		.toAbsolutePath()
		.normalize();

	private TorchScriptFixtures() {
	}

	/** Copies a fixture to {@code target}; returns it. */
	public static Path copy(String fixture, Path target) {
		try {
			Files.createDirectories(target.toAbsolutePath().getParent());
			return Files.copy(DIR.resolve(fixture), target, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A pipeline file of the sample schema for a TorchScript model at {@code module}, the
	 * categorical features' categories fixed.
	 */
	public static String yaml(String name, String dataPath, String module, String extra) {
		String model = """
				family: torchscript
				torchscript: %s
				epochs: 4
				batch-size: 128
				learning-rate: 0.01
				early-stopping:
				  patience: 0
				seed: 7""".formatted(module);
		return PipelineFixtures.yaml(name, dataPath, model, extra)
			.replace("  - name: plan\n    type: categorical\n",
					"  - name: plan\n    type: categorical\n    categories: [basic, plus, pro]\n")
			.replace("  - name: region\n    type: categorical\n",
					"  - name: region\n    type: categorical\n    categories: [north, south, east, west]\n");
	}

}
