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
				// a local file by its content, an object by its ETag
				String identity = (f.sha256() != null) ? f.sha256() : "etag:" + f.etag();
				digest.update(
						(f.path() + '\0' + f.sizeBytes() + '\0' + identity + '\n').getBytes(StandardCharsets.UTF_8));
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
