package dev.retrain.orchestrator.console;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The console's sign-in form (the form login of the console's security chain). */
@Controller
class LoginPageController {

	@GetMapping("/login")
	String login() {
		return "console/login";
	}

}
