package dev.retrain.models.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.retrain.models.files.FileHashes;

/**
 * The model plugins of one directory: each {@code *.jar} in it (not in sub-directories)
 * gets a class loader of its own, whose parent is the one that loaded this class (DJL and
 * the product's classes come from there), and its {@link ModelFactory} services are found
 * with {@link ServiceLoader}. Each plugin is recorded with its jar's file name, SHA-256
 * and version (the manifest's {@code Implementation-Version}, else {@code unknown}).
 *
 * <p>
 * Plugins are code: only the directory the operator configures is read, once, when it is
 * loaded; nothing of a pipeline file or a request names a jar.
 *
 * <p>
 * <b>The process-wide plugins.</b> A stored version names only its plugin, so whatever
 * loads a version finds the factory through {@link #installed()}: the plugins the process
 * installed at start-up with {@link #install} (the server and a worker from
 * {@code retrain.plugins-dir}, the command-line jobs likewise, an application with
 * {@code Champion.builder(...).pluginsDir(dir)}). None are installed until then.
 */
public final class ModelPlugins {

	private static final Logger log = LoggerFactory.getLogger(ModelPlugins.class);

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

	/** The built-in family names a plugin cannot take. */
	public static final Set<String> BUILT_IN = Set.of("linear", "logistic", "mlp", "torchscript");

	private static final ModelPlugins NONE = new ModelPlugins(null, Map.of());

	private static volatile ModelPlugins installed = NONE;

	private final Path directory;

	private final Map<String, Plugin> plugins;

	private ModelPlugins(Path directory, Map<String, Plugin> plugins) {
		this.directory = directory;
		this.plugins = Collections.unmodifiableMap(new TreeMap<>(plugins));
	}

	/**
	 * One plugin: its factory, the jar it came from ({@code jar}: the file name;
	 * {@code path}: where it was read), the jar's SHA-256, and its version.
	 */
	public record Plugin(ModelFactory factory, String jar, Path path, String sha256, String version) {

		public String name() {
			return this.factory.name();
		}

		public String describe() {
			return "plugin '" + name() + "' version " + this.version + " from " + this.jar + " (SHA-256 " + this.sha256
					+ ")";
		}

	}

	/** No plugins. */
	public static ModelPlugins none() {
		return NONE;
	}

	/**
	 * Loads the plugins of {@code directory} (null: none). Refused, naming the jars, when
	 * the directory does not exist, a jar cannot be read, a name is not a valid family
	 * name or is a built-in one, or two jars give the same name.
	 */
	public static ModelPlugins load(Path directory) {
		if (directory == null) {
			return NONE;
		}
		if (!Files.isDirectory(directory)) {
			throw new IllegalStateException("the plugin directory " + directory + " does not exist");
		}
		List<Path> jars;
		try (Stream<Path> files = Files.list(directory)) {
			jars = files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot list the plugin directory " + directory, ex);
		}
		Map<String, Plugin> plugins = new TreeMap<>();
		List<String> problems = new ArrayList<>();
		for (Path jar : jars) {
			for (Plugin p : loadJar(jar, problems)) {
				Plugin other = plugins.putIfAbsent(p.name(), p);
				if (other != null) {
					problems.add("plugin '" + p.name() + "' is in two jars, " + other.jar() + " and " + p.jar()
							+ ": keep one of them");
				}
			}
		}
		if (!problems.isEmpty()) {
			throw new IllegalStateException(
					"the plugin directory " + directory + " cannot be used: " + String.join("; ", problems));
		}
		ModelPlugins loaded = new ModelPlugins(directory, plugins);
		plugins.values().forEach(p -> log.info("model {}", p.describe()));
		return loaded;
	}

	private static List<Plugin> loadJar(Path jar, List<String> problems) {
		String sha256 = FileHashes.sha256(jar);
		String version = version(jar);
		URLClassLoader loader;
		try {
			loader = new URLClassLoader("plugin " + jar.getFileName(), new URL[] { jar.toUri().toURL() },
					ModelPlugins.class.getClassLoader());
		}
		catch (MalformedURLException ex) {
			throw new IllegalStateException("cannot read plugin jar " + jar, ex);
		}
		List<Plugin> found = new ArrayList<>();
		try {
			for (ModelFactory factory : ServiceLoader.load(ModelFactory.class, loader)) {
				// ServiceLoader also sees services of the parent class loader: keep only
				// this jar's own
				if (factory.getClass().getClassLoader() != loader) {
					continue;
				}
				String name = factory.name();
				if (name == null || !NAME.matcher(name).matches()) {
					problems.add(jar.getFileName() + " gives a plugin named '" + name
							+ "': a name is 1 to 40 of a-z, 0-9 and '-', starting with a letter");
				}
				else if (BUILT_IN.contains(name)) {
					problems.add(jar.getFileName() + " gives a plugin named '" + name + "', a built-in family");
				}
				else {
					found.add(new Plugin(factory, jar.getFileName().toString(), jar, sha256, version));
				}
			}
		}
		catch (ServiceConfigurationError | LinkageError | RuntimeException ex) {
			// a plugin that cannot be loaded, or whose name() fails, stops the start-up
			problems.add(jar.getFileName() + ": its ModelFactory cannot be loaded (" + ex + ")");
		}
		if (found.isEmpty()) {
			try {
				loader.close();
			}
			catch (IOException ex) {
				log.debug("closing the class loader of {}", jar, ex);
			}
		}
		return found;
	}

	private static String version(Path jar) {
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();
			String v = (manifest != null) ? manifest.getMainAttributes().getValue("Implementation-Version") : null;
			return (v != null && !v.isBlank()) ? v.strip() : "unknown";
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read plugin jar " + jar, ex);
		}
	}

	/** The plugins this process installed (none until {@link #install}). */
	public static ModelPlugins installed() {
		return installed;
	}

	/**
	 * Makes {@code plugins} the process-wide ones that loading a version uses; returns
	 * those installed before.
	 */
	public static ModelPlugins install(ModelPlugins plugins) {
		ModelPlugins before = installed;
		installed = (plugins != null) ? plugins : NONE;
		return before;
	}

	/** The directory read, or null for none. */
	public Path directory() {
		return this.directory;
	}

	/** The plugins by name. */
	public Map<String, Plugin> plugins() {
		return this.plugins;
	}

	/** The plugin of this name, or null. */
	public Plugin get(String name) {
		return this.plugins.get(name);
	}

	/**
	 * The factory of a stored version's plugin: the one named, from a jar with the
	 * SHA-256 the version recorded (null: not checked). Refused with
	 * {@link PluginUnavailable} naming the plugin, version and jar needed and what this
	 * process has instead, rather than load the version with other code.
	 */
	public ModelFactory require(String name, String version, String jar, String sha256) {
		String needed = "plugin '" + name + "' version " + version + " from " + jar + " (SHA-256 " + sha256 + ")";
		Plugin p = this.plugins.get(name);
		if (p == null) {
			throw new PluginUnavailable("this model needs " + needed + ", and "
					+ ((this.directory != null)
							? "the plugin directory " + this.directory + " has no plugin '" + name + "'"
									+ (this.plugins.isEmpty() ? "" : " (it has " + this.plugins.keySet() + ")")
							: "no plugin directory is configured (retrain.plugins-dir)")
					+ ": put " + jar + " there");
		}
		if (sha256 != null && !sha256.equals(p.sha256())) {
			throw new PluginUnavailable("this model needs " + needed + ", and the plugin directory " + this.directory
					+ " has version " + p.version() + " from " + p.jar() + " (SHA-256 " + p.sha256()
					+ "): other code would score it differently; put " + jar + " there to load it");
		}
		return p.factory();
	}

}
