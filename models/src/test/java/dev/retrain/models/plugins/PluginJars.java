package dev.retrain.models.plugins;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import ai.djl.nn.Block;

/**
 * Real plugin jars for tests: a {@link ModelFactory} compiled from source by the JDK's
 * compiler (against the DJL and models classes this JVM runs) and packed with its
 * {@code META-INF/services} file and a manifest version, so that the plugin's classes are
 * only in the jar, as in production.
 */
public final class PluginJars {

	private PluginJars() {
	}

	/**
	 * A plugin {@code name}: an MLP with one hidden layer of {@code params.width} units
	 * (required, 1..1024) and an optional {@code params.dropout} in [0, 1). The
	 * {@code version} goes into the manifest and into the class, so two versions are two
	 * jars with different bytes.
	 */
	public static Path mlp(Path dir, String name, String version) {
		String pkg = "test.plugins." + name.replace('-', '_');
		String source = """
				package %1$s;

				import java.util.ArrayList;
				import java.util.List;
				import java.util.Map;

				import ai.djl.nn.Activation;
				import ai.djl.nn.Block;
				import ai.djl.nn.SequentialBlock;
				import ai.djl.nn.core.Linear;
				import ai.djl.nn.norm.Dropout;

				import dev.retrain.models.features.Task;
				import dev.retrain.models.plugins.ModelFactory;
				import dev.retrain.models.plugins.ModelInputs;

				public class Factory implements ModelFactory {

					static final String VERSION = "%3$s";

					public String name() {
						return "%2$s";
					}

					public List<Problem> validate(Task task, Map<String, Object> params) {
						List<Problem> problems = new ArrayList<>();
						Object width = params.get("width");
						if (!(width instanceof Integer w) || w < 1 || w > 1024) {
							problems.add(new Problem("width", "is required: a whole number of units from 1 to 1024, was " + width));
						}
						Object dropout = params.get("dropout");
						if (dropout != null && !(dropout instanceof Number d && d.doubleValue() >= 0 && d.doubleValue() < 1)) {
							problems.add(new Problem("dropout", "must be a number in [0, 1), was " + dropout));
						}
						for (String key : params.keySet()) {
							if (!key.equals("width") && !key.equals("dropout")) {
								problems.add(new Problem(key, "is not a parameter of %2$s (width, dropout)"));
							}
						}
						return problems;
					}

					public Block build(ModelInputs inputs, Map<String, Object> params) {
						SequentialBlock net = new SequentialBlock();
						net.add(Linear.builder().setUnits(((Number) params.get("width")).longValue()).build());
						net.add(Activation.reluBlock());
						Object dropout = params.get("dropout");
						if (dropout != null) {
							net.add(Dropout.builder().optRate(((Number) dropout).floatValue()).build());
						}
						net.add(Linear.builder().setUnits(inputs.outputs()).build());
						return net;
					}

				}
				"""
			.formatted(pkg, name, version);
		return jar(dir, name + "-" + version + ".jar", pkg, source, version);
	}

	/** Compiles {@code source} (class {@code pkg.Factory}) into a plugin jar. */
	public static Path jar(Path dir, String fileName, String pkg, String source, String version) {
		try {
			Path src = Files.createTempDirectory("plugin-src-");
			Path classes = Files.createTempDirectory("plugin-classes-");
			Path file = src.resolve(pkg.replace('.', '/')).resolve("Factory.java");
			Files.createDirectories(file.getParent());
			Files.writeString(file, source);
			JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
			StringWriter errors = new StringWriter();
			String classpath = codeSource(ModelFactory.class) + File.pathSeparator + codeSource(Block.class);
			boolean ok = javac
				.getTask(errors, null, null,
						List.of("-classpath", classpath, "-d", classes.toString(), "--release", "17"), null,
						javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file))
				.call();
			if (!ok) {
				throw new IllegalStateException("the test plugin does not compile: " + errors);
			}
			Files.createDirectories(dir);
			Path jar = dir.resolve(fileName);
			Manifest manifest = new Manifest();
			manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
			if (version != null) {
				manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
			}
			try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
					Stream<Path> files = Files.walk(classes)) {
				for (Path c : files.filter(Files::isRegularFile).toList()) {
					out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
					Files.copy(c, out);
					out.closeEntry();
				}
				out.putNextEntry(new JarEntry("META-INF/services/" + ModelFactory.class.getName()));
				write(out, pkg + ".Factory\n");
				out.closeEntry();
			}
			return jar;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void write(OutputStream out, String text) throws IOException {
		out.write(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String codeSource(Class<?> type) {
		try {
			return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
