package dev.retrain.models.training;

/** How the parameters are fitted. */
public enum Solver {

	/** Mini-batch Adam over shuffled epochs: any family and task. */
	ADAM,
	/**
	 * Newton's method on the full (L2-regularised) objective: one pass over the rows per
	 * iteration, converging to the optimum in a handful of iterations. Linear models for
	 * binary classification (logistic regression) or regression only, where the objective
	 * is convex.
	 */
	NEWTON

}
