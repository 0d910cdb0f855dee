package dev.retrain.models.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A version as one zip archive of its local files: {@value ModelStore#METADATA},
 * {@value ModelStore#PARAMS} and, where it has one, {@value #REFERENCE}. Entries come in
 * a fixed order with a fixed time, so the same version always gives the same bytes.
 */
final class VersionArchive {

	static final String REFERENCE = "reference.parquet";

	private VersionArchive() {
	}

	static byte[] of(Path dir, String pipeline, int version) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (String name : List.of(ModelStore.METADATA, ModelStore.PARAMS, REFERENCE)) {
				Path file = dir.resolve(name);
				if (!Files.isRegularFile(file)) {
					continue;
				}
				ZipEntry entry = new ZipEntry(name);
				entry.setTime(0);
				zip.putNextEntry(entry);
				Files.copy(file, zip);
				zip.closeEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot archive " + pipeline + " v" + version, ex);
		}
		return bytes.toByteArray();
	}

}
