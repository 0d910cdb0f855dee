package dev.retrain.examples.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;

import dev.retrain.models.features.Task;
import dev.retrain.models.plugins.ModelFactory;
import dev.retrain.models.plugins.ModelInputs;

/**
 * A wide-and-deep network (Cheng et al., 2016) as a model plugin, {@code family:
 * wide-and-deep}: a wide part, one dense layer over the whole encoded row, added to a
 * deep part, an MLP over the numeric columns and one learnt embedding per categorical
 * feature.
 *
 * <p>
 * An embedding is a matrix of one row per category; the product encodes a categorical
 * feature one-hot (a column per category plus one for any other value), and a dense layer
 * without bias over that slice picks the category's row: an embedding lookup.
 *
 * <p>
 * Parameters ({@code model.params}): {@code embedding-size} (1 to 64, default 4),
 * {@code hidden-layers} (a list of 1 to 4 widths of 1 to 1024, default {@code [32, 16]}),
 * {@code dropout} (in [0, 0.9), default 0).
 */
public final class WideAndDeep implements ModelFactory {

	private static final List<String> PARAMETERS = List.of("embedding-size", "hidden-layers", "dropout");

	@Override
	public String name() {
		return "wide-and-deep";
	}

	@Override
	public List<Problem> validate(Task task, Map<String, Object> params) {
		List<Problem> problems = new ArrayList<>();
		for (String key : params.keySet()) {
			if (!PARAMETERS.contains(key)) {
				problems
					.add(new Problem(key, "is not a parameter of wide-and-deep (its parameters: " + PARAMETERS + ")"));
			}
		}
		Object size = params.get("embedding-size");
		if (size != null && !(size instanceof Integer n && n >= 1 && n <= 64)) {
			problems.add(new Problem("embedding-size", "must be a whole number from 1 to 64, was " + size));
		}
		Object layers = params.get("hidden-layers");
		if (layers != null && !(layers instanceof List<?> list && !list.isEmpty() && list.size() <= 4
				&& list.stream().allMatch(w -> w instanceof Integer n && n >= 1 && n <= 1024))) {
			problems.add(new Problem("hidden-layers", "must be a list of 1 to 4 widths from 1 to 1024, was " + layers));
		}
		Object dropout = params.get("dropout");
		if (dropout != null && !(dropout instanceof Number d && d.doubleValue() >= 0 && d.doubleValue() < 0.9)) {
			problems.add(new Problem("dropout", "must be a number in [0, 0.9), was " + dropout));
		}
		return problems;
	}

	@Override
	public Block build(ModelInputs inputs, Map<String, Object> params) {
		int embedding = ((Number) params.getOrDefault("embedding-size", 4)).intValue();
		List<?> hidden = (List<?>) params.getOrDefault("hidden-layers", List.of(32, 16));
		float dropout = ((Number) params.getOrDefault("dropout", 0.0)).floatValue();

		// the deep part's input: the numeric columns as encoded, then each categorical
		// feature's embedding
		List<Block> branches = new ArrayList<>();
		List<ModelInputs.Feature> numeric = inputs.numeric();
		if (!numeric.isEmpty()) {
			branches.add(new LambdaBlock(x -> {
				NDArray row = x.singletonOrThrow();
				NDList parts = new NDList();
				for (ModelInputs.Feature f : numeric) {
					parts.add(slice(row, f));
				}
				return new NDList(NDArrays.concat(parts, 1));
			}, "numeric"));
		}
		for (ModelInputs.Feature f : inputs.categorical()) {
			branches.add(new SequentialBlock()
				.add(new LambdaBlock(x -> new NDList(slice(x.singletonOrThrow(), f)), "one-hot " + f.name()))
				.add(Linear.builder().setUnits(embedding).optBias(false).build()));
		}
		SequentialBlock deep = new SequentialBlock()
			.add(new ParallelBlock(outs -> new NDList(NDArrays.concat(flatten(outs), 1)), branches));
		for (Object width : hidden) {
			deep.add(Linear.builder().setUnits(((Number) width).longValue()).build()).add(Activation.reluBlock());
			if (dropout > 0) {
				deep.add(Dropout.builder().optRate(dropout).build());
			}
		}
		deep.add(Linear.builder().setUnits(inputs.outputs()).build());

		Block wide = Linear.builder().setUnits(inputs.outputs()).build();
		return new ParallelBlock(outs -> new NDList(outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow())),
				List.of(wide, deep));
	}

	private static NDArray slice(NDArray row, ModelInputs.Feature f) {
		return row.get(new NDIndex(":, {}:{}", f.offset(), f.offset() + f.width()));
	}

	private static NDList flatten(List<NDList> outs) {
		NDList all = new NDList();
		outs.forEach(all::addAll);
		return all;
	}

}
