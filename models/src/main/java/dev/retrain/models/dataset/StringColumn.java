package dev.retrain.models.dataset;

/** A categorical or label column as strings; a missing value is {@code null}. */
public record StringColumn(String name, String[] values) implements Column {

	@Override
	public int size() {
		return this.values.length;
	}

	@Override
	public boolean isNull(int row) {
		return this.values[row] == null;
	}

	@Override
	public StringColumn select(int[] rows) {
		String[] v = new String[rows.length];
		for (int i = 0; i < rows.length; i++) {
			v[i] = this.values[rows[i]];
		}
		return new StringColumn(this.name, v);
	}

}
