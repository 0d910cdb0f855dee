package dev.retrain.models.dataset;

import java.time.LocalDate;

/**
 * One Parquet file of a snapshot: where it is, the day partition it belongs to, and what
 * it held when seen.
 */
public record DataFile(String path, LocalDate day, long sizeBytes, long rows, String sha256) {
}
