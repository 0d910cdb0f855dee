package dev.retrain.models.dataset;

/**
 * A column to read and how to hold it; a column that is not {@code required} is skipped
 * when absent.
 */
public record ColumnRequest(String name, Kind kind, boolean required) {

	public enum Kind {

		/**
		 * Read into doubles; the file's type must be numeric (int, long, float, double,
		 * boolean).
		 */
		NUMERIC,
		/** Read into strings; any primitive type is accepted and written as its text. */
		STRING

	}

	public static ColumnRequest numeric(String name) {
		return new ColumnRequest(name, Kind.NUMERIC, true);
	}

	public static ColumnRequest string(String name) {
		return new ColumnRequest(name, Kind.STRING, true);
	}

}
