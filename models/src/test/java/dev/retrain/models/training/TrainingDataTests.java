package dev.retrain.models.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingDataTests {

	@Test
	void theSplitIsTheSeededShuffleFirstRowsValidatingAndTheRestTrainingBothInRowOrder() {
		int rows = 1000;
		TrainingData data = data(rows);
		TrainingSource.Split split = data.split(0.2, 11);
		int[] all = TrainingData.shuffled(TrainingData.identity(rows), 11);
		int[] expectedVal = Arrays.copyOfRange(all, 0, 200);
		int[] expectedTrain = Arrays.copyOfRange(all, 200, rows);
		Arrays.sort(expectedVal);
		Arrays.sort(expectedTrain);
		assertThat(split.validationRows()).isEqualTo(200);
		assertThat(split.trainRows()).isEqualTo(800);
		assertThat(visited(split, true)).containsExactly(expectedVal);
		assertThat(visited(split, false)).containsExactly(expectedTrain);
	}

	@Test
	void withoutValidationEveryRowTrainsInRowOrder() {
		TrainingSource.Split split = data(300).split(0.0, 11);
		assertThat(split.validationRows()).isZero();
		assertThat(visited(split, false)).containsExactly(TrainingData.identity(300));
	}

	/** Row numbers as the visitor sees them: feature 0 of each row is its number. */
	private static int[] visited(TrainingSource.Split split, boolean validation) {
		List<Integer> seen = new ArrayList<>();
		split.visit(validation, 64, null, (x, y, w, n) -> {
			for (int i = 0; i < n; i++) {
				seen.add((int) x[i * 2]);
			}
		});
		return seen.stream().mapToInt(Integer::intValue).toArray();
	}

	private static TrainingData data(int rows) {
		float[] x = new float[rows * 2];
		double[] y = new double[rows];
		for (int i = 0; i < rows; i++) {
			x[i * 2] = i;
			y[i] = i % 2;
		}
		return new TrainingData(x, y, null, rows, 2);
	}

}
