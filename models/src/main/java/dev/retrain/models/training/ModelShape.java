package dev.retrain.models.training;

import java.util.List;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import dev.retrain.models.features.Task;

/** Everything needed to rebuild the network's structure before loading parameters. */
public record ModelShape(Task task, ModelFamily family, List<Integer> hiddenLayers, int inputs, int outputs) {

	public ModelShape {
		hiddenLayers = (family == ModelFamily.MLP) ? List.copyOf(hiddenLayers) : List.of();
	}

	public Block newBlock() {
		SequentialBlock net = new SequentialBlock();
		for (int units : this.hiddenLayers) {
			net.add(Linear.builder().setUnits(units).build());
			net.add(Activation.reluBlock());
		}
		net.add(Linear.builder().setUnits(this.outputs).build());
		return net;
	}

}
