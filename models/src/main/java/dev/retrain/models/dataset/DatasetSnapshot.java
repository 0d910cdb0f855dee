package dev.retrain.models.dataset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The exact files a run used. The id derives from paths, sizes and content hashes: same
 * files, same id.
 */
public record DatasetSnapshot(String id, List<DataFile> files) {

	public static DatasetSnapshot of(List<DataFile> files) {
		List<DataFile> sorted = files.stream().sorted(Comparator.comparing(DataFile::path)).toList();
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (DataFile f : sorted) {
				digest.update(
						(f.path() + '\0' + f.sizeBytes() + '\0' + f.sha256() + '\n').getBytes(StandardCharsets.UTF_8));
			}
			return new DatasetSnapshot("ds-" + HexFormat.of().formatHex(digest.digest()).substring(0, 16), sorted);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public long rows() {
		return this.files.stream().mapToLong(DataFile::rows).sum();
	}

}
