package dev.retrain.models.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 of files: what a version's metadata, a data snapshot and a training checkpoint
 * record so that a changed or truncated file is noticed before it is used.
 */
public final class FileHashes {

	private FileHashes() {
	}

	/** The SHA-256 (hex) of a file; an unreadable file names itself (not its path). */
	public static String sha256(Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] buffer = new byte[1 << 16];
			for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
				digest.update(buffer, 0, n);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + file.getFileName(), ex);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The SHA-256 (hex) of a stream's bytes, read to its end. */
	public static String sha256(InputStream in) throws IOException {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] buffer = new byte[1 << 16];
			for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
				digest.update(buffer, 0, n);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The SHA-256 (hex) of bytes in memory. */
	public static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The SHA-256 of each named file of a directory, by name. */
	public static Map<String, String> of(Path dir, String... files) {
		Map<String, String> out = new TreeMap<>();
		for (String file : files) {
			out.put(file, sha256(dir.resolve(file)));
		}
		return out;
	}

	/**
	 * What differs between the recorded hashes and the files of a directory: each problem
	 * names the file ("missing" or "changed"); empty when all match.
	 */
	public static Map<String, String> mismatches(Path dir, Map<String, String> recorded) {
		Map<String, String> out = new TreeMap<>();
		recorded.forEach((file, sha) -> {
			Path path = dir.resolve(file);
			if (!Files.isRegularFile(path)) {
				out.put(file, "missing");
			}
			else if (!sha.equals(sha256(path))) {
				out.put(file, "changed");
			}
		});
		return out;
	}

}
