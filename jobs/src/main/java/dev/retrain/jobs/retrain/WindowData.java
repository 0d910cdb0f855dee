package dev.retrain.jobs.retrain;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.retrain.jobs.pipeline.HoldoutSpec;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.training.Task;

/**
 * A run's data, read from its snapshot and split: training rows, and each holdout (out-of-time: the last
 * N days of the window; random: a seeded fraction of the remaining rows; golden: its own files). The
 * split is a pure function of the snapshot and the definition, so every step sees the same rows.
 */
record WindowData(Table window, Table train, Map<String, Table> holdouts) {

	static WindowData load(PipelineDefinition def, SnapshotInfo snap, LocalDate asOf, List<FeatureSpec> extraFeatures) {
		List<ColumnRequest> columns = columns(def, extraFeatures);
		Table window = new ParquetTableReader(Path.of(snap.dataRoot())).read(snap.window().files(), columns);
		boolean[] excluded = new boolean[window.rows()];
		Map<String, Table> holdouts = new LinkedHashMap<>();
		for (HoldoutSpec h : def.holdouts()) {
			switch (h.type()) {
				case OUT_OF_TIME -> {
					long firstDay = asOf.minusDays(h.days() - 1L).toEpochDay();
					List<Integer> rows = new ArrayList<>();
					for (int r = 0; r < window.rows(); r++) {
						if (window.epochDays()[r] >= firstDay) {
							rows.add(r);
							excluded[r] = true;
						}
					}
					holdouts.put(h.name(), window.select(toArray(rows)));
				}
				case RANDOM -> {
					Random random = new Random(h.seed());
					List<Integer> rows = new ArrayList<>();
					for (int r = 0; r < window.rows(); r++) {
						if (!excluded[r] && random.nextDouble() < h.fraction()) {
							rows.add(r);
							excluded[r] = true;
						}
					}
					holdouts.put(h.name(), window.select(toArray(rows)));
				}
				case GOLDEN -> {
					SnapshotInfo.GoldenSnapshot g = snap.golden().get(h.name());
					holdouts.put(h.name(), new ParquetTableReader(Path.of(g.root())).read(g.snapshot().files(), columns));
				}
			}
		}
		List<Integer> trainRows = new ArrayList<>();
		for (int r = 0; r < window.rows(); r++) {
			if (!excluded[r]) {
				trainRows.add(r);
			}
		}
		return new WindowData(window, window.select(toArray(trainRows)), holdouts);
	}

	static List<ColumnRequest> columns(PipelineDefinition def, List<FeatureSpec> extraFeatures) {
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureSpec f : def.features()) {
			columns.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name()));
		}
		columns.add((def.task() == Task.REGRESSION) ? ColumnRequest.numeric(def.labelColumn())
				: ColumnRequest.string(def.labelColumn()));
		for (FeatureSpec f : extraFeatures) {
			columns.add(new ColumnRequest(f.name(), f.isNumeric() ? ColumnRequest.Kind.NUMERIC : ColumnRequest.Kind.STRING,
					false));
		}
		return columns;
	}

	private static int[] toArray(List<Integer> rows) {
		return rows.stream().mapToInt(Integer::intValue).toArray();
	}

}
