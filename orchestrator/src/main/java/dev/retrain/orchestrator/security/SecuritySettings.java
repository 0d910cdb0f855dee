package dev.retrain.orchestrator.security;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may call the API. {@code users} authenticate with HTTP Basic; {@code password} is
 * an encoded hash ({@code {bcrypt}...}, from
 * {@code java -jar orchestrator.jar hash-password}). {@code apiKeys} are sent as
 * {@code X-API-Key}; only their SHA-256 ({@code hash-api-key}) is configured. Roles:
 * {@code viewer}, {@code operator}, {@code admin} (each includes the one before).
 */
@ConfigurationProperties("retrain.security")
record SecuritySettings(List<User> users, List<ApiKey> apiKeys) {

	SecuritySettings {
		users = (users != null) ? List.copyOf(users) : List.of();
		apiKeys = (apiKeys != null) ? List.copyOf(apiKeys) : List.of();
	}

	record User(String name, String password, List<String> roles) {
	}

	record ApiKey(String name, String sha256, List<String> roles) {
	}

}
