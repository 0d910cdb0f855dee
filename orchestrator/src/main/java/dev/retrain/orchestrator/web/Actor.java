package dev.retrain.orchestrator.web;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** Who is calling, for the audit log and alias history. */
public final class Actor {

	private Actor() {
	}

	public static String current() {
		Authentication a = SecurityContextHolder.getContext().getAuthentication();
		return (a != null && a.getName() != null) ? a.getName() : "anonymous";
	}

}
