package dev.retrain.models.plugins;

import java.util.List;
import java.util.Map;

import ai.djl.nn.Block;

import dev.retrain.models.features.Task;

/**
 * A model family of your own, in Java: the service a plugin jar provides
 * ({@code META-INF/services/dev.retrain.models.plugins.ModelFactory}), found by
 * {@link ModelPlugins} in the operator's plugin directory ({@code retrain.plugins-dir}).
 * A pipeline names it as {@code model: {family: <name>, params: {...}}}.
 *
 * <p>
 * The product does the rest as for the built-in families: encodes the features, trains
 * the block with its trainer (Adam, early stopping, checkpoints and resume, fine-tunes,
 * searches), evaluates, stores the parameters ({@code Block.saveParameters}) and loads
 * them back into a new block from {@link #build} for scoring. So {@link #build} must give
 * a block of the same structure for the same inputs and parameters, every time.
 *
 * <p>
 * The block's contract: {@code forward} takes one float32 array {@code [batch, width]}
 * laid out as {@link ModelInputs#features()} describes, and returns one array: logits
 * {@code [batch, classes]} (multiclass), the positive class's logit {@code [batch, 1]}
 * (binary) or the value {@code [batch, 1]} (regression). Parameters of type
 * {@code WEIGHT} are initialised by the product (seeded Xavier), others by the block's
 * own initialisers.
 *
 * <p>
 * Implementations need a public no-argument constructor and must be stateless: one
 * instance builds the blocks of every pipeline and version that name it.
 */
public interface ModelFactory {

	/**
	 * The family name a pipeline uses: 1 to 40 of a-z, 0-9 and '-', starting with a
	 * letter, and not a built-in family ({@code linear}, {@code logistic}, {@code mlp},
	 * {@code torchscript}).
	 */
	String name();

	/**
	 * Every problem with {@code params} (as the pipeline file gives them: numbers,
	 * strings, booleans, lists and maps) for {@code task}, at once; empty when they are
	 * fine. Reported with the rest of the file's problems as
	 * {@code model.params.<parameter>}.
	 */
	List<Problem> validate(Task task, Map<String, Object> params);

	/**
	 * A new, uninitialised block for these inputs and (validated) parameters.
	 */
	Block build(ModelInputs inputs, Map<String, Object> params);

	/**
	 * One problem with one parameter ({@code parameter} as in the file, e.g.
	 * {@code embedding-size}; the product reports it as
	 * {@code model.params.embedding-size}).
	 */
	record Problem(String parameter, String message) {
	}

}
