package dev.retrain.orchestrator.web;

import dev.retrain.models.store.ModelStore;

/**
 * Names taken from a request path are checked before they reach a lookup or a file path.
 */
public final class Names {

	private Names() {
	}

	public static String pipeline(String name) {
		if (name == null || !ModelStore.NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("invalid pipeline name: must match " + ModelStore.NAME.pattern());
		}
		return name;
	}

}
