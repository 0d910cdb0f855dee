package dev.retrain.orchestrator.console;

import java.util.Collection;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

import dev.retrain.orchestrator.security.ApiAccess;

/**
 * What the signed-in user may do, on every console page: pages show no action beyond it.
 * The roles are those of the access table ({@link ApiAccess}), reached through the role
 * hierarchy.
 */
@ControllerAdvice(basePackageClasses = SignedInUser.class)
class SignedInUser {

	private final RoleHierarchy roles;

	SignedInUser(RoleHierarchy roles) {
		this.roles = roles;
	}

	@ModelAttribute
	void user(Model model, Authentication auth) {
		if (auth == null) {
			return;
		}
		Collection<? extends GrantedAuthority> all = this.roles.getReachableGrantedAuthorities(auth.getAuthorities());
		model.addAttribute("userName", auth.getName());
		model.addAttribute("canOperate", reaches(all, ApiAccess.OPERATOR));
		model.addAttribute("canAdmin", reaches(all, ApiAccess.ADMIN));
	}

	private static boolean reaches(Collection<? extends GrantedAuthority> all, String role) {
		String authority = ApiAccess.grantedAuthority(role);
		return all.stream().anyMatch(a -> a.getAuthority().equals(authority));
	}

}
