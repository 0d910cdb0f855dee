package dev.retrain.models.training;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

import dev.retrain.models.features.Task;

/**
 * The user's own PyTorch module as TorchScript: loaded with DJL's PyTorch engine (with
 * trainable parameters for training), checked against the pipeline's encoded input width
 * and task, and written back as the plain TorchScript archive {@code torch.jit.save}
 * writes (not DJL's parameter file, which puts a header before it), so a stored version
 * also loads in Python ({@code torch.jit.load}), TorchServe or Triton.
 *
 * <p>
 * The contract: {@code forward} takes the encoded feature matrix {@code [batch, width]}
 * (float32) and returns logits {@code [batch, classes]} (multiclass), {@code [batch, 1]}
 * or {@code [batch]} (binary, the positive class's logit) or values {@code [batch, 1]} or
 * {@code [batch]} (regression).
 */
public final class TorchScriptModules {

	private static final byte[] ZIP = { 'P', 'K', 3, 4 };

	static {
		// TorchScript's profiling graph executor compiles a differentiable graph during
		// training and then runs it for a forward under DJL's inference guard as well
		// (a validation loss between epochs), which fails ("Inference tensors cannot be
		// saved for backward"). DJL sets the optimizer per thread on every forward from
		// this property; off, the module runs as written, in training and inference
		// alike.
		if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
			System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
		}
	}

	private TorchScriptModules() {
	}

	/**
	 * Loads a TorchScript file into {@code manager} (a PyTorch one); {@code trainable}
	 * keeps gradients on its parameters. Refused with a {@link TrainingFailed} naming the
	 * file when it is not a TorchScript archive.
	 */
	public static PtSymbolBlock load(Path file, NDManager manager, boolean trainable) {
		if (!Files.isRegularFile(file)) {
			throw new TrainingFailed("TorchScript file " + file + " does not exist");
		}
		byte[] head = new byte[ZIP.length];
		try (InputStream in = Files.newInputStream(file)) {
			int n = in.readNBytes(head, 0, head.length);
			if (n < head.length || !Arrays.equals(head, ZIP)) {
				throw new TrainingFailed(file + " is not a TorchScript module: torch.jit.save writes a zip archive, "
						+ "this file does not start like one (export the model with torch.jit.script(model).save(...) "
						+ "or torch.jit.trace(model, example).save(...))");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read TorchScript file " + file, ex);
		}
		if (!(manager instanceof PtNDManager pt)) {
			throw new IllegalStateException(
					"TorchScript needs DJL's PyTorch engine, the manager is " + manager.getEngine().getEngineName());
		}
		try {
			return JniUtils.loadModule(pt, file, true, new String[0], new String[0], trainable);
		}
		catch (EngineException ex) {
			throw new TrainingFailed(file + " is not a TorchScript module PyTorch can load: " + firstLine(ex));
		}
	}

	/**
	 * Writes the module as the plain TorchScript archive, atomically (a temporary file
	 * moved into place).
	 */
	public static void save(PtSymbolBlock block, Path file) {
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
				JniUtils.writeModule(block, out, false);
			}
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the TorchScript module to " + file, ex);
		}
	}

	/**
	 * Checks that the module in {@code file} takes the pipeline's encoded rows and gives
	 * what the task needs, by running it once on two rows of zeros: refused with a
	 * {@link TrainingFailed} naming both sides (the pipeline's encoded columns and what
	 * the module expects or returned).
	 */
	public static void verify(Path file, ModelShape shape, List<String> encodedColumns) {
		try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
			PtSymbolBlock block = load(file, manager, false);
			NDArray out;
			try {
				out = block
					.forward(new ParameterStore(manager, false),
							new NDList(manager.zeros(new Shape(2, shape.inputs()))), false)
					.singletonOrThrow();
			}
			catch (EngineException | IllegalArgumentException ex) {
				throw new TrainingFailed(String.format(Locale.ROOT,
						"the TorchScript module %s does not take the pipeline's %d encoded columns %s%s: %s", file,
						shape.inputs(), encodedColumns, firstWeight(block), firstLine(ex)));
			}
			Shape got = out.getShape();
			boolean fits = switch (shape.task()) {
				case MULTICLASS_CLASSIFICATION -> got.equals(new Shape(2, shape.outputs()));
				case BINARY_CLASSIFICATION, REGRESSION -> got.equals(new Shape(2, 1)) || got.equals(new Shape(2));
			};
			if (!fits) {
				throw new TrainingFailed(String.format(Locale.ROOT,
						"the TorchScript module %s returns %s for 2 rows, the pipeline's %s task needs %s", file, got,
						taskName(shape.task()), expected(shape)));
			}
		}
	}

	private static String taskName(Task task) {
		return switch (task) {
			case BINARY_CLASSIFICATION -> "binary";
			case MULTICLASS_CLASSIFICATION -> "multiclass";
			case REGRESSION -> "regression";
		};
	}

	private static String expected(ModelShape shape) {
		return switch (shape.task()) {
			case MULTICLASS_CLASSIFICATION ->
				"(2, " + shape.outputs() + "): one logit per class (" + shape.outputs() + " classes)";
			case BINARY_CLASSIFICATION -> "(2, 1) or (2): the positive class's logit";
			case REGRESSION -> "(2, 1) or (2): the predicted value";
		};
	}

	/** The module's first weight, whose second dimension is usually its input width. */
	private static String firstWeight(PtSymbolBlock block) {
		for (Parameter p : block.getParameters().values()) {
			if (p.getArray() != null && p.getArray().getShape().dimension() == 2) {
				return " (its first weight, " + p.getName() + ", is " + p.getArray().getShape() + ": it takes "
						+ p.getArray().getShape().get(1) + " columns)";
			}
		}
		return "";
	}

	private static String firstLine(Exception ex) {
		String message = String.valueOf(ex.getMessage()).strip();
		int nl = message.indexOf('\n');
		return (nl > 0) ? message.substring(0, nl) : message;
	}

}
