package dev.retrain.models.plugins;

import java.util.ArrayList;
import java.util.List;

import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;

/**
 * What a {@link ModelFactory} builds a block for: the task, the width of the encoded rows
 * the block takes, the outputs it must give (classes for multiclass, else 1), and where
 * each feature is in a row.
 *
 * <p>
 * A row holds the features in the pipeline's order. A numeric feature takes two columns:
 * its standardised value (0 when missing) and a missing-value indicator. A categorical
 * one takes one column per category of its vocabulary plus a last one for unknown or
 * missing values, one-hot: multiplying that slice by a matrix without bias (a
 * {@code Linear} block with {@code optBias(false)}) is an embedding lookup.
 */
public record ModelInputs(Task task, int width, int outputs, List<Feature> features) {

	public ModelInputs {
		features = List.copyOf(features);
	}

	/**
	 * The layout of encoded rows with these encodings, in the order given.
	 */
	public static List<Feature> layout(List<FeatureEncoding> encodings) {
		int offset = 0;
		List<Feature> features = new ArrayList<>(encodings.size());
		for (FeatureEncoding e : encodings) {
			features.add(new Feature(e.name(), e.type() == FeatureType.CATEGORICAL, offset, e.width()));
			offset += e.width();
		}
		return List.copyOf(features);
	}

	/** The categorical features only, in row order. */
	public List<Feature> categorical() {
		return this.features.stream().filter(Feature::categorical).toList();
	}

	/** The numeric features only, in row order. */
	public List<Feature> numeric() {
		return this.features.stream().filter(f -> !f.categorical()).toList();
	}

	/**
	 * One feature's columns in an encoded row: {@code [offset, offset + width)}. For a
	 * categorical feature {@code width} is its number of categories, the unknown bucket
	 * included.
	 */
	public record Feature(String name, boolean categorical, int offset, int width) {
	}

}
