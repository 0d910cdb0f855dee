package dev.retrain.models.dataset;

import java.util.Arrays;

/**
 * A numeric column as doubles. A missing value (Parquet null) is flagged in
 * {@code nulls}, which is {@code null} when the column has none; NaN and infinities are
 * kept as read so that validation sees them.
 */
public record NumericColumn(String name, double[] values, boolean[] nulls) implements Column {

	@Override
	public int size() {
		return this.values.length;
	}

	@Override
	public boolean isNull(int row) {
		return this.nulls != null && this.nulls[row];
	}

	@Override
	public NumericColumn select(int[] rows) {
		double[] v = new double[rows.length];
		boolean[] n = (this.nulls != null) ? new boolean[rows.length] : null;
		for (int i = 0; i < rows.length; i++) {
			v[i] = this.values[rows[i]];
			if (n != null) {
				n[i] = this.nulls[rows[i]];
			}
		}
		return new NumericColumn(this.name, v, n);
	}

	@Override
	public String toString() {
		return "NumericColumn[" + this.name + ", " + this.values.length + " rows, head="
				+ Arrays.toString(Arrays.copyOf(this.values, Math.min(5, this.values.length))) + "]";
	}

}
