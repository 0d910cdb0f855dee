package dev.retrain.orchestrator.console;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/** The console's sign-in form (the form login of the console's security chain). */
@Controller
class LoginPageController {

	@GetMapping("/login")
	String login() {
		return "console/login";
	}

	/**
	 * The login page again for a sign-in the login throttle refused (it answers 429 with
	 * Retry-After and forwards here): it says when to try again.
	 */
	@RequestMapping("/login/throttled")
	String loginThrottled(HttpServletResponse response, Model model) {
		String retryAfter = response.getHeader("Retry-After");
		if (retryAfter == null) {
			return "redirect:/login";
		}
		response.setStatus(429);
		model.addAttribute("retryAfter", retryAfter);
		return "console/login";
	}

}
