package dev.retrain.jobs.retrain;

import java.time.LocalDate;
import java.util.Map;

import dev.retrain.models.dataset.DatasetSnapshot;

/** The files a run reads: the window's partitions and each golden holdout's files. */
record SnapshotInfo(LocalDate from, LocalDate to, String dataRoot, DatasetSnapshot window,
		Map<String, GoldenSnapshot> golden) {

	record GoldenSnapshot(String root, DatasetSnapshot snapshot) {
	}

}
