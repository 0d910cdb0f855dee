package dev.retrain.models.training;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import dev.retrain.models.features.Task;

/**
 * Fits a linear model (logistic or least-squares regression) exactly: Newton's method
 * with a backtracking line search on
 * {@code J(w, b) = sum(weight * loss) / sum(weight) + lambda / 2 * |w|^2}. Each
 * evaluation of J, its gradient and Hessian is one pass over the training rows in
 * batches; the per-batch products ({@code X'r}, {@code X' diag(s) X}) run on the DJL
 * engine and are summed in double precision here, and the small {@code (d+1) x (d+1)}
 * system is solved by Cholesky. A checkpoint is written after every iteration, so a
 * restarted run resumes at the next one.
 */
final class NewtonSolver {

	private static final int BATCH = 8192;

	/**
	 * A tiny ridge on the diagonal keeps the system positive definite when lambda is 0
	 * and a feature is constant.
	 */
	private static final double RIDGE = 1e-8;

	private static final double TOLERANCE = 1e-10;

	private final ModelShape shape;

	private final int d;

	private final double lambda;

	private final NDManager manager;

	private NewtonSolver(ModelShape shape, double lambda, NDManager manager) {
		this.shape = shape;
		this.d = shape.inputs();
		this.lambda = lambda;
		this.manager = manager;
	}

	/**
	 * The objective, its gradient and Hessian at one point ({@code d} weights, then the
	 * bias).
	 */
	private record Point(double[] theta, double objective, double dataLoss, double[] gradient, double[][] hessian) {
	}

	static TrainingResult fit(ModelTrainer.Request req, Block block, NDManager manager, TrainingSource.Split split,
			ModelTrainer.Checkpoint ckpt, String fingerprint, int resumedFrom) {
		NewtonSolver solver = new NewtonSolver(req.shape(), req.hp().weightDecay(), manager);
		Parameter weight = parameter(block, "weight");
		Parameter bias = parameter(block, "bias");
		double[] theta = new double[solver.d + 1];
		float[] w0 = weight.getArray().toFloatArray();
		for (int j = 0; j < solver.d; j++) {
			theta[j] = w0[j];
		}
		theta[solver.d] = bias.getArray().toFloatArray()[0];

		List<EpochStats> curve = new ArrayList<>((ckpt != null) ? ckpt.curve() : List.of());
		long samplesSeen = (ckpt != null) ? ckpt.samplesSeen() : 0;
		long millis = (ckpt != null) ? ckpt.millis() : 0;
		int maxIterations = Math.max(1, req.hp().epochs());
		long start = System.nanoTime();
		Point at = solver.evaluate(split, theta);
		samplesSeen += split.trainRows();
		for (int it = resumedFrom + 1;; it++) {
			double[] step = choleskySolve(at.hessian(), at.gradient());
			double slope = 0;
			for (int j = 0; j < step.length; j++) {
				slope -= at.gradient()[j] * step[j];
			}
			double t = 1;
			Point next;
			while (true) {
				double[] candidate = new double[theta.length];
				for (int j = 0; j < theta.length; j++) {
					candidate[j] = at.theta()[j] - t * step[j];
				}
				next = solver.evaluate(split, candidate);
				samplesSeen += split.trainRows();
				if (next.objective() <= at.objective() + 1e-4 * t * slope || t < 1e-8) {
					break;
				}
				t /= 2;
			}
			if (!Double.isFinite(next.objective())) {
				throw new TrainingFailed(
						"the Newton iteration diverged at iteration " + it + " (objective " + next.objective() + ")");
			}
			boolean converged = -slope * t / 2 < TOLERANCE
					|| Math.abs(at.objective() - next.objective()) <= TOLERANCE * (1 + Math.abs(at.objective()));
			at = next;
			set(weight, bias, at.theta(), solver.d);
			double valLoss = (split.validationRows() > 0) ? solver.validationLoss(split, at.theta()) : Double.NaN;
			long now = System.nanoTime();
			long iterationMillis = (now - start) / 1_000_000;
			start = now;
			millis += iterationMillis;
			EpochStats stats = new EpochStats(it, at.dataLoss(), valLoss, iterationMillis);
			curve.add(stats);
			boolean finished = converged || it >= maxIterations;
			ModelTrainer.Checkpoint saved = ModelTrainer.checkpoint(req, block, new ModelTrainer.Checkpoint(fingerprint,
					it, it, at.objective(), 0, finished, false, samplesSeen, millis, curve));
			req.listener().epochCompleted(it, maxIterations, stats);
			if (finished) {
				return ModelTrainer.result(saved, resumedFrom, split);
			}
		}
	}

	private static Parameter parameter(Block block, String suffix) {
		return block.getParameters()
			.values()
			.stream()
			.filter(p -> p.getName().endsWith(suffix))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("the linear block has no " + suffix + " parameter"));
	}

	private static void set(Parameter weight, Parameter bias, double[] theta, int d) {
		float[] w = new float[d];
		for (int j = 0; j < d; j++) {
			w[j] = (float) theta[j];
		}
		weight.getArray().set(w);
		bias.getArray().set(new float[] { (float) theta[d] });
	}

	private Point evaluate(TrainingSource.Split split, double[] theta) {
		int n1 = this.d + 1;
		double[] g = new double[n1];
		double[][] h = new double[n1][n1];
		double[] sums = new double[2];
		float[] beta = new float[this.d];
		for (int j = 0; j < this.d; j++) {
			beta[j] = (float) theta[j];
		}
		float[] r = new float[BATCH];
		float[] s = new float[BATCH];
		split.visit(false, BATCH, null, (x, targets, weights, n) -> {
			try (NDManager m = this.manager.newSubManager()) {
				NDArray xs = m.create(FloatBuffer.wrap(x, 0, n * this.d), new Shape(n, this.d));
				float[] z = xs.matMul(m.create(beta, new Shape(this.d, 1))).toFloatArray();
				double sr = 0;
				double ss = 0;
				for (int i = 0; i < n; i++) {
					double zi = z[i] + theta[this.d];
					double wi = (weights != null) ? weights[i] : 1.0;
					double yi = targets[i];
					double loss;
					double ri;
					double si;
					if (this.shape.task() == Task.REGRESSION) {
						double e = zi - yi;
						loss = e * e;
						ri = 2 * e;
						si = 2;
					}
					else {
						double p = 1 / (1 + Math.exp(-zi));
						loss = ((zi > 0) ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi))) - zi * yi;
						ri = p - yi;
						si = p * (1 - p);
					}
					sums[0] += wi * loss;
					sums[1] += wi;
					r[i] = (float) (wi * ri);
					s[i] = (float) (wi * si);
					sr += wi * ri;
					ss += wi * si;
				}
				NDArray rs = m.create(FloatBuffer.wrap(r, 0, n), new Shape(n, 1));
				NDArray sx = xs.mul(m.create(FloatBuffer.wrap(s, 0, n), new Shape(n, 1)));
				float[] gx = xs.transpose().matMul(rs).toFloatArray();
				float[] hxx = sx.transpose().matMul(xs).toFloatArray();
				float[] hxb = sx.sum(new int[] { 0 }).toFloatArray();
				for (int j = 0; j < this.d; j++) {
					g[j] += gx[j];
					h[j][this.d] += hxb[j];
					for (int k = 0; k < this.d; k++) {
						h[j][k] += hxx[j * this.d + k];
					}
				}
				g[this.d] += sr;
				h[this.d][this.d] += ss;
			}
		});
		double total = sums[1];
		if (!(total > 0)) {
			throw new TrainingFailed("no training rows with positive weight");
		}
		double penalty = 0;
		for (int j = 0; j < n1; j++) {
			g[j] /= total;
			for (int k = 0; k < n1; k++) {
				h[j][k] /= total;
			}
		}
		for (int j = 0; j < this.d; j++) {
			h[this.d][j] = h[j][this.d];
			g[j] += this.lambda * theta[j];
			h[j][j] += this.lambda;
			penalty += this.lambda / 2 * theta[j] * theta[j];
		}
		for (int j = 0; j < n1; j++) {
			h[j][j] += RIDGE;
		}
		double dataLoss = sums[0] / total;
		return new Point(theta, dataLoss + penalty, dataLoss, g, h);
	}

	private double validationLoss(TrainingSource.Split split, double[] theta) {
		double[] sums = new double[2];
		split.visit(true, BATCH, null, (x, targets, weights, n) -> {
			for (int i = 0; i < n; i++) {
				double z = theta[this.d];
				for (int j = 0; j < this.d; j++) {
					z += theta[j] * x[i * this.d + j];
				}
				double wi = (weights != null) ? weights[i] : 1.0;
				double loss = (this.shape.task() == Task.REGRESSION) ? (z - targets[i]) * (z - targets[i])
						: ((z > 0) ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - z * targets[i];
				sums[0] += wi * loss;
				sums[1] += wi;
			}
		});
		return sums[0] / sums[1];
	}

	/** Solves {@code a x = b} for a symmetric positive definite {@code a}. */
	static double[] choleskySolve(double[][] a, double[] b) {
		int n = b.length;
		double[][] l = new double[n][n];
		for (int i = 0; i < n; i++) {
			for (int j = 0; j <= i; j++) {
				double sum = a[i][j];
				for (int k = 0; k < j; k++) {
					sum -= l[i][k] * l[j][k];
				}
				if (i == j) {
					if (!(sum > 0)) {
						throw new TrainingFailed("the Newton system is not positive definite (a feature is a linear "
								+ "combination of others; set model.weight-decay above 0)");
					}
					l[i][i] = Math.sqrt(sum);
				}
				else {
					l[i][j] = sum / l[j][j];
				}
			}
		}
		double[] y = new double[n];
		for (int i = 0; i < n; i++) {
			double sum = b[i];
			for (int k = 0; k < i; k++) {
				sum -= l[i][k] * y[k];
			}
			y[i] = sum / l[i][i];
		}
		double[] x = new double[n];
		for (int i = n - 1; i >= 0; i--) {
			double sum = y[i];
			for (int k = i + 1; k < n; k++) {
				sum -= l[k][i] * x[k];
			}
			x[i] = sum / l[i][i];
		}
		return x;
	}

}
