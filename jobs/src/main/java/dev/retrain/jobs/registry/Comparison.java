package dev.retrain.jobs.registry;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.retrain.models.store.ArtifactMetadata;

/**
 * Two versions side by side: metrics per holdout, data snapshots, and what differs in
 * their configuration (each difference as the pair of values, a's first). The REST API's
 * {@code compare} and the console's version page show the same.
 *
 * @param a the first version
 * @param b the second version
 * @param metricsA a's metrics per holdout
 * @param metricsB b's metrics per holdout
 * @param snapshotA a's data snapshot
 * @param snapshotB b's data snapshot
 * @param differences per setting that differs, its value in a and in b
 */
public record Comparison(int a, int b, Map<String, Map<String, Double>> metricsA,
		Map<String, Map<String, Double>> metricsB, String snapshotA, String snapshotB,
		Map<String, List<Object>> differences) {

	/**
	 * The comparison of version {@code a} with version {@code b}, from their metadata.
	 */
	public static Comparison of(int a, ArtifactMetadata ma, int b, ArtifactMetadata mb) {
		Map<String, List<Object>> diff = new LinkedHashMap<>();
		differ(diff, "configHash", ma.configHash(), mb.configHash());
		differ(diff, "mode", ma.mode(), mb.mode());
		differ(diff, "parentVersion", ma.parentVersion(), mb.parentVersion());
		differ(diff, "shape", ma.shape(), mb.shape());
		differ(diff, "hyperparameters", ma.hyperparameters(), mb.hyperparameters());
		differ(diff, "features", ma.features().stream().map(f -> f.name() + ":" + f.type()).toList(),
				mb.features().stream().map(f -> f.name() + ":" + f.type()).toList());
		differ(diff, "labelClasses", ma.label().classes(), mb.label().classes());
		differ(diff, "datasetFiles", ma.dataset().files().size(), mb.dataset().files().size());
		differ(diff, "trainRows", ma.training().trainRows(), mb.training().trainRows());
		return new Comparison(a, b, ma.candidateMetrics(), mb.candidateMetrics(), ma.dataset().id(), mb.dataset().id(),
				diff);
	}

	private static void differ(Map<String, List<Object>> diff, String key, Object a, Object b) {
		if (!Objects.equals(a, b)) {
			diff.put(key, Arrays.asList(a, b));
		}
	}

}
