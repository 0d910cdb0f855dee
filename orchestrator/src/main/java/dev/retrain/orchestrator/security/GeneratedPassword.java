package dev.retrain.orchestrator.security;

/** The one-start admin password, when no users are configured (for the demo to print). */
public final class GeneratedPassword {

	private static volatile String password;

	private GeneratedPassword() {
	}

	static void set(String value) {
		password = value;
	}

	/** Null when users are configured. */
	public static String get() {
		return password;
	}

}
