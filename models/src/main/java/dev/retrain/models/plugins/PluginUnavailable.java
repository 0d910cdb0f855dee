package dev.retrain.models.plugins;

/**
 * A stored model needs a plugin this process does not have: absent, or from a jar with
 * another SHA-256. The message names the plugin, version and jar needed.
 */
public class PluginUnavailable extends IllegalStateException {

	public PluginUnavailable(String message) {
		super(message);
	}

}
