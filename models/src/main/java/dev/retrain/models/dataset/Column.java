package dev.retrain.models.dataset;

/** One column of a {@link Table}, held as primitive arrays. */
public sealed interface Column permits NumericColumn, StringColumn {

	String name();

	int size();

	boolean isNull(int row);

	Column select(int[] rows);

}
