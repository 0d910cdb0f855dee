package dev.retrain.models.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper for files the ML core writes (metadata, checkpoints): strict on read,
 * written atomically.
 */
public final class Json {

	public static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(SerializationFeature.INDENT_OUTPUT)
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private Json() {
	}

	public static void write(Path file, Object value) {
		write(file, MAPPER.writeValueAsString(value));
	}

	/**
	 * As {@link #write}, without indentation: for large files read by programs (a
	 * backtest's report).
	 */
	public static void writeCompact(Path file, Object value) {
		write(file, MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
	}

	private static void write(Path file, String text) {
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.writeString(tmp, text);
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + file, ex);
		}
	}

	public static <T> T read(Path file, Class<T> type) {
		try {
			return MAPPER.readValue(Files.readString(file), type);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + file, ex);
		}
	}

}
