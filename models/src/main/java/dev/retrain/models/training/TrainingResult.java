package dev.retrain.models.training;

import java.util.List;

/**
 * How training went: the curve, the epoch whose parameters were kept, whether it stopped
 * early, from which epoch it resumed after a restart (0: fresh), and its speed.
 */
public record TrainingResult(List<EpochStats> curve, int bestEpoch, boolean stoppedEarly, int resumedFromEpoch,
		long trainingMillis, long samplesSeen, double samplesPerSecond, int trainRows, int validationRows) {
}
