package dev.retrain.orchestrator.web;

import dev.retrain.models.files.PathSegment;

/**
 * Names taken from a request path are checked before they reach a lookup or a file path.
 */
public final class Names {

	private Names() {
	}

	public static String pipeline(String name) {
		if (!PathSegment.isName(name)) {
			throw new IllegalArgumentException("invalid pipeline name: must match " + PathSegment.NAME.pattern());
		}
		return name;
	}

}
