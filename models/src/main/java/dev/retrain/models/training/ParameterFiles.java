package dev.retrain.models.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;

/**
 * DJL parameter files: written atomically, and copied value by value into a block in
 * training.
 */
final class ParameterFiles {

	private ParameterFiles() {
	}

	public static void save(Block block, Path file) {
		if (block instanceof PtSymbolBlock module) {
			TorchScriptModules.save(module, file);
			return;
		}
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
				block.saveParameters(out);
			}
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write parameters to " + file, ex);
		}
	}

	/**
	 * Copies a parameter file {@link #save} wrote (to a temporary file, then moved into
	 * place): the same parameters as saving the same block again, without serialising it.
	 */
	public static void copy(Path from, Path to) {
		Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
		try {
			Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
			Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot copy parameters from " + from + " to " + to, ex);
		}
	}

	/**
	 * A new block of the shape, initialised and then loaded from the file; a TorchScript
	 * model is the module in the file, with trainable parameters.
	 */
	public static Block load(ModelShape shape, Path file, NDManager manager) {
		if (shape.isTorchScript()) {
			return TorchScriptModules.load(file, manager, true);
		}
		Block block = shape.newBlock();
		block.initialize(manager, DataType.FLOAT32, new Shape(1, shape.inputs()));
		try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
			block.loadParameters(manager, in);
		}
		catch (IOException | MalformedModelException ex) {
			throw new IllegalStateException("cannot load parameters from " + file + ": " + ex.getMessage(), ex);
		}
		return block;
	}

	/**
	 * Copies values from the file into an initialised block of the same shape (keeps the
	 * arrays the trainer holds).
	 */
	public static void copyInto(Block target, ModelShape shape, Path file, NDManager manager) {
		try (NDManager scratch = manager.newSubManager()) {
			Block source = load(shape, file, scratch);
			copy(source, target);
		}
	}

	public static void copy(Block source, Block target) {
		var from = source.getParameters().values();
		var to = target.getParameters().values();
		if (from.size() != to.size()) {
			throw new IllegalStateException("parameter count differs: " + from.size() + " vs " + to.size());
		}
		for (int i = 0; i < from.size(); i++) {
			Parameter s = from.get(i);
			Parameter t = to.get(i);
			if (!s.getArray().getShape().equals(t.getArray().getShape())) {
				throw new IllegalStateException("parameter " + t.getName() + " shape " + t.getArray().getShape()
						+ " differs from stored " + s.getArray().getShape());
			}
			t.getArray().set(s.getArray().toFloatArray());
		}
	}

	/** Values of all parameters, in order, for an in-memory snapshot. */
	public static float[][] snapshot(Block block) {
		var params = block.getParameters().values();
		float[][] values = new float[params.size()][];
		for (int i = 0; i < params.size(); i++) {
			values[i] = params.get(i).getArray().toFloatArray();
		}
		return values;
	}

	public static void restore(Block block, float[][] values) {
		var params = block.getParameters().values();
		for (int i = 0; i < params.size(); i++) {
			params.get(i).getArray().set(values[i]);
		}
	}

}
