package dev.retrain.models.features;

import java.util.List;

/**
 * What a model version records of its derived features in {@code metadata.json}: their
 * definitions, the label they rate (column and positive class; null for a regression's
 * mean) and the statistics of the last periods of its training data that they look back
 * on ({@code history}), so that the version can be served without the data: scoring rows
 * of the period after the training data's last day ({@link #servingDay}), or of any
 * period whose earlier periods the caller supplies.
 */
public record DerivedState(List<DerivedFeature> definitions, String labelColumn, String positiveClass,
		DerivedHistory history, int lastDay) {

	public DerivedState {
		definitions = List.copyOf(definitions);
		history = (history != null) ? history : DerivedHistory.EMPTY;
	}

	/**
	 * The state to store after training on {@code trainingHistory} up to {@code lastDay}:
	 * only the periods a row of the next period looks back on.
	 */
	public static DerivedState of(DerivedFeatures derived, DerivedHistory trainingHistory, int lastDay) {
		return new DerivedState(derived.features(), derived.labelColumn(), derived.positiveClass(),
				trainingHistory.last(derived.lookbackPeriods(), lastDay), lastDay);
	}

	public DerivedFeatures derived() {
		return new DerivedFeatures(this.definitions, this.labelColumn, this.positiveClass);
	}

	/**
	 * The period rows without a day are taken to be of: the one after the last day of the
	 * training data.
	 */
	public int servingDay() {
		return this.lastDay + 1;
	}

}
