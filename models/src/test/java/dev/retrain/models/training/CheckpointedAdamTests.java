package dev.retrain.models.training;

import java.util.List;
import java.util.Random;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointedAdamTests {

	@Test
	void updatesExactlyAsDjlsAdamDoes() {
		float[][] djl = train(
				Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).optWeightDecays(0.01f).build());
		float[][] ours = train(new CheckpointedAdam(0.05f, 0.01f));

		assertThat(ours).as("same parameters, bit for bit, after 40 steps").isDeepEqualTo(djl);
		assertThat(java.util.Arrays.deepEquals(train(new CheckpointedAdam(0.01f, 0.01f)), djl))
			.as("another learning rate moves the parameters elsewhere: the steps do update them")
			.isFalse();
	}

	private static float[][] train(Optimizer optimizer) {
		Engine.getInstance().setRandomSeed(11);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), 3, 1);
		try (Model model = Model.newInstance("adam")) {
			model.setBlock(shape.newBlock());
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
				.optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
				.optOptimizer(optimizer);
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(1, 3));
				Random random = new Random(3);
				for (int step = 0; step < 40; step++) {
					float[] x = new float[32 * 3];
					float[] y = new float[32];
					for (int i = 0; i < 32; i++) {
						for (int j = 0; j < 3; j++) {
							x[i * 3 + j] = (float) random.nextGaussian();
						}
						y[i] = (x[i * 3] - x[i * 3 + 2] > 0) ? 1f : 0f;
					}
					try (NDManager batch = trainer.getManager().newSubManager();
							GradientCollector gc = trainer.newGradientCollector()) {
						NDArray z = trainer.forward(new NDList(batch.create(x, new Shape(32, 3)))).singletonOrThrow();
						NDArray loss = trainer.getLoss()
							.evaluate(new NDList(batch.create(y, new Shape(32, 1))), new NDList(z));
						gc.backward(loss);
					}
					trainer.step();
				}
				return ParameterFiles.snapshot(model.getBlock());
			}
		}
	}

}
