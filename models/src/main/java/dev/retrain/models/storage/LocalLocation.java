package dev.retrain.models.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;

/** A location on local disk. */
public record LocalLocation(Path path) implements Location {

	public LocalLocation {
		path = path.toAbsolutePath().normalize();
	}

	@Override
	public String uri() {
		return this.path.toString();
	}

	@Override
	public String name() {
		Path name = this.path.getFileName();
		return (name != null) ? name.toString() : "";
	}

	@Override
	public Location resolve(String relative) {
		return new LocalLocation(this.path.resolve(relative));
	}

	@Override
	public Location parent() {
		Path parent = this.path.getParent();
		return new LocalLocation((parent != null) ? parent : this.path);
	}

	@Override
	public String relativize(Location descendant) {
		return this.path.relativize(((LocalLocation) descendant).path()).toString().replace('\\', '/');
	}

	@Override
	public boolean isDirectory() {
		return Files.isDirectory(this.path);
	}

	@Override
	public boolean isFile() {
		return Files.isRegularFile(this.path);
	}

	@Override
	public List<Location> children() throws IOException {
		try (Stream<Path> list = Files.list(this.path)) {
			return list.sorted().map(p -> (Location) new LocalLocation(p)).toList();
		}
	}

	@Override
	public List<Location> files() throws IOException {
		try (Stream<Path> walk = Files.walk(this.path)) {
			return walk.filter(Files::isRegularFile).sorted().map(p -> (Location) new LocalLocation(p)).toList();
		}
	}

	@Override
	public long size() throws IOException {
		return Files.size(this.path);
	}

	@Override
	public String etag() {
		return null;
	}

	@Override
	public InputFile inputFile() {
		return new LocalInputFile(this.path) {
			@Override
			public String toString() {
				return name();
			}
		};
	}

	@Override
	public InputStream open() throws IOException {
		return Files.newInputStream(this.path);
	}

	@Override
	public Path localPath() {
		return this.path;
	}

	@Override
	public void upload(Path file) throws IOException {
		Files.createDirectories(this.path.getParent());
		Path tmp = this.path.resolveSibling(this.path.getFileName() + ".tmp");
		Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
		Files.move(tmp, this.path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	@Override
	public void deleteAll() throws IOException {
		if (!Files.exists(this.path)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(this.path)) {
			for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(p);
			}
		}
	}

	@Override
	public String toString() {
		return uri();
	}

}
