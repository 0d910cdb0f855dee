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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;

/**
 * Adam as DJL 0.36 computes it (the same engine operation with the same arguments, so the
 * same updates bit for bit), with state that can be saved and restored: the moment
 * estimates of every parameter and the update counts. DJL's own {@code Adam} keeps them
 * private, so a resumed training would restart them at zero and take a different path
 * than an uninterrupted one. Parameters are matched by their position and name in the
 * block (their ids are new in every process).
 */
final class CheckpointedAdam extends Optimizer {

	private static final float BETA1 = 0.9f;

	private static final float BETA2 = 0.999f;

	private static final float EPSILON = 1e-8f;

	private final float learningRate;

	private final Map<String, NDArray> means = new ConcurrentHashMap<>();

	private final Map<String, NDArray> variances = new ConcurrentHashMap<>();

	private final Map<String, Integer> counts = new ConcurrentHashMap<>();

	private int numUpdate;

	CheckpointedAdam(float learningRate, float weightDecay) {
		super(new Builder().optWeightDecays(weightDecay));
		this.learningRate = learningRate;
	}

	private static final class Builder extends OptimizerBuilder<Builder> {

		@Override
		protected Builder self() {
			return this;
		}

	}

	@Override
	public void update(String parameterId, NDArray weight, NDArray grad) {
		int count = this.counts.merge(parameterId, 1, Integer::sum);
		this.numUpdate = Math.max(this.numUpdate, count);
		int t = this.numUpdate;
		double coef1 = 1.0 - Math.pow(BETA1, t);
		double coef2 = 1.0 - Math.pow(BETA2, t);
		float corrected = (float) (this.learningRate * Math.sqrt(coef2) / coef1);
		float weightDecay = getWeightDecay();
		if (!Float.isFinite(corrected) || !Float.isFinite(weightDecay)) {
			throw new IllegalStateException("learning rate or weight decay is nan or infinite");
		}
		NDArray mean = this.means.computeIfAbsent(parameterId, k -> weight.zerosLike());
		NDArray variance = this.variances.computeIfAbsent(parameterId, k -> weight.zerosLike());
		weight.getNDArrayInternal()
			.adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight), this.learningRate, corrected,
					weightDecay, this.rescaleGrad, this.clipGrad, BETA1, BETA2, EPSILON, true, false);
	}

	/**
	 * Writes the state of every parameter of {@code block} (written to a temporary file,
	 * then moved into place).
	 */
	void save(Block block, Path file) {
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
			out.writeInt(this.numUpdate);
			out.writeInt(block.getParameters().size());
			for (Pair<String, Parameter> p : block.getParameters()) {
				String id = p.getValue().getId();
				out.writeUTF(p.getKey());
				out.writeInt(this.counts.getOrDefault(id, 0));
				writeArray(out, this.means.get(id));
				writeArray(out, this.variances.get(id));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the optimizer state " + file, ex);
		}
		try {
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the optimizer state " + file, ex);
		}
	}

	/**
	 * Restores what {@link #save} wrote for the same network; a state of another network
	 * fails.
	 */
	void restore(Block block, Path file) {
		try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
			this.numUpdate = in.readInt();
			int n = in.readInt();
			if (n != block.getParameters().size()) {
				throw new IllegalStateException("optimizer state " + file + " has " + n + " parameters, the network "
						+ block.getParameters().size());
			}
			for (Pair<String, Parameter> p : block.getParameters()) {
				String name = in.readUTF();
				if (!name.equals(p.getKey())) {
					throw new IllegalStateException("optimizer state " + file + " has parameter " + name
							+ " where the network has " + p.getKey());
				}
				NDArray weight = p.getValue().getArray();
				String id = p.getValue().getId();
				int count = in.readInt();
				if (count > 0) {
					this.counts.put(id, count);
				}
				readArray(in, weight, this.means, id);
				readArray(in, weight, this.variances, id);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the optimizer state " + file, ex);
		}
	}

	private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
		if (a == null) {
			out.writeInt(-1);
			return;
		}
		float[] v = a.toFloatArray();
		out.writeInt(v.length);
		for (float f : v) {
			out.writeFloat(f);
		}
	}

	private static void readArray(DataInputStream in, NDArray weight, Map<String, NDArray> into, String id)
			throws IOException {
		int n = in.readInt();
		if (n < 0) {
			return;
		}
		if (n != weight.size()) {
			throw new IllegalStateException("optimizer state has " + n + " values for a parameter of " + weight.size());
		}
		float[] v = new float[n];
		for (int i = 0; i < n; i++) {
			v[i] = in.readFloat();
		}
		NDArray a = weight.getManager().create(v, weight.getShape());
		NDArray old = into.put(id, a);
		if (old != null) {
			old.close();
		}
	}

}
