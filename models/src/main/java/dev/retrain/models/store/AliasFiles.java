package dev.retrain.models.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.retrain.models.json.Json;
import dev.retrain.models.storage.Location;

/**
 * The alias pointers in a store, {@code <pipeline>/aliases/<alias>.json}: copies of the
 * registry's aliases for a serving application that reads only the store; and beside the
 * champion's, the committee it serves ({@value ModelStore#COMMITTEE}), for a pipeline
 * with a committee champion.
 */
final class AliasFiles {

	/** What an alias pointer says: the version it names. */
	record AliasPointer(String pipeline, String alias, int version) {
	}

	private final StoreLayout layout;

	AliasFiles(StoreLayout layout) {
		this.layout = layout;
	}

	void write(String pipeline, String alias, int version) {
		try {
			Location file = this.layout.alias(pipeline, alias);
			Path tmp = Files.createTempFile("alias-", ".json");
			try {
				Json.write(tmp, new AliasPointer(pipeline, alias, version));
				file.upload(tmp);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write alias '" + alias + "' of " + pipeline + " to "
					+ this.layout.root().uri() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Writes the committee manifest ({@code json}, as the registry made it) in one piece:
	 * on disk a temporary file renamed over the old one, in object storage one PUT, so a
	 * reader sees the old manifest or the new one, never a part.
	 */
	void writeCommittee(String pipeline, byte[] json) {
		Location file = this.layout.committee(pipeline);
		try {
			Path tmp = Files.createTempFile("committee-", ".json");
			try {
				Files.write(tmp, json);
				file.upload(tmp);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot write the committee of " + pipeline + " to " + file.uri() + ": " + ex.getMessage(), ex);
		}
	}

	Optional<byte[]> readCommittee(String pipeline) {
		Location file = this.layout.committee(pipeline);
		try {
			if (!file.isFile()) {
				return Optional.empty();
			}
			try (InputStream in = file.open()) {
				return Optional.of(in.readAllBytes());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot read the committee of " + pipeline + " at " + file.uri() + ": " + ex.getMessage(), ex);
		}
	}

	void deleteCommittee(String pipeline) {
		Location file = this.layout.committee(pipeline);
		try {
			file.deleteAll();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot delete the committee of " + pipeline + " at " + file.uri() + ": " + ex.getMessage(), ex);
		}
	}

	Optional<Integer> read(String pipeline, String alias) {
		Location file = this.layout.alias(pipeline, alias);
		try {
			if (!file.isFile()) {
				return Optional.empty();
			}
			try (InputStream in = file.open()) {
				return Optional.of(Json.MAPPER.readValue(in, AliasPointer.class).version());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot read alias '" + alias + "' of " + pipeline + " at " + file.uri() + ": " + ex.getMessage(),
					ex);
		}
	}

}
