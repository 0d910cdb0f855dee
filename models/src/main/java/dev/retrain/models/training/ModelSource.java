package dev.retrain.models.training;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.retrain.models.plugins.ModelInputs;

/**
 * Where the code of a model that is not built in comes from, recorded with every version.
 * For TorchScript the module file a retrain starts from ({@code location} as configured:
 * a local path or an {@code s3://} URI) and the SHA-256 of the bytes that were used. For
 * a plugin ({@link ModelFamily#PLUGIN}) its name ({@code plugin}), the file name of its
 * jar ({@code location}), the jar's SHA-256 and the plugin's {@code version}, the
 * pipeline's {@code params} and the {@code layout} of the encoded rows its block was
 * built for: all a process needs to build the same block again, and to refuse when its
 * plugin is not the same code. {@code plugin}, {@code version}, {@code params} and
 * {@code layout} are null for TorchScript.
 */
public record ModelSource(String location, String sha256, String plugin, String version, Map<String, Object> params,
		List<ModelInputs.Feature> layout) {

	public ModelSource {
		// sorted, so that the same parameters print the same (a training's fingerprint)
		params = (params != null) ? Collections.unmodifiableMap(new TreeMap<>(params)) : null;
		layout = (layout != null) ? List.copyOf(layout) : null;
	}

	public ModelSource(String location, String sha256) {
		this(location, sha256, null, null, null, null);
	}

	/** A plugin as a pipeline names it, before its jar is known. */
	public static ModelSource plugin(String name, Map<String, Object> params) {
		return new ModelSource(null, null, name, null, (params != null) ? params : Map.of(), null);
	}

	public ModelSource withSha256(String sha256) {
		return new ModelSource(this.location, sha256, this.plugin, this.version, this.params, this.layout);
	}

	/** The same plugin, as loaded from {@code jar} with this SHA-256 and version. */
	public ModelSource withJar(String jar, String sha256, String version, List<ModelInputs.Feature> layout) {
		return new ModelSource(jar, sha256, this.plugin, version, this.params, layout);
	}

}
