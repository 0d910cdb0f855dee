package dev.retrain.models.files;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A name from outside (a request, a pipeline or policy file) checked to be one safe
 * segment of a path or URI: the one way from a user's string to a file name. Pipeline
 * names, aliases and policy names are {@link #name names} (lower-case letters, digits,
 * {@code _} and {@code -}); run keys are {@link #key keys} (also upper-case and
 * {@code .}). Neither can be empty, start with a dot, hold a separator, or climb out of
 * the directory it is placed {@link #in}.
 */
public record PathSegment(String value) {

	/**
	 * The rule of {@link #name names} as a regular expression: the one to give
	 * {@code @Pattern(regexp = ...)} on a request field that will become a name.
	 */
	public static final String NAME_REGEX = "[a-z0-9][a-z0-9_-]{0,63}";

	/**
	 * The rule of {@link #key keys} as a regular expression, the same as {@link #isKey}:
	 * the look-ahead refuses {@code ..} anywhere. The one to give
	 * {@code @Pattern(regexp = ...)} on a request field that will become a key.
	 */
	public static final String KEY_REGEX = "(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

	/** Pipeline names, aliases, policy names. */
	public static final Pattern NAME = Pattern.compile(NAME_REGEX);

	/** Run keys and other identifiers that callers choose. */
	public static final Pattern KEY = Pattern.compile(KEY_REGEX);

	public PathSegment {
		if (!isKey(value)) {
			throw new Invalid("value", value, KEY);
		}
	}

	/** A name (pipeline, alias, policy) given as {@code field}. */
	public static PathSegment name(String field, String value) {
		if (value == null || !NAME.matcher(value).matches()) {
			throw new Invalid(field, value, NAME);
		}
		return new PathSegment(value);
	}

	/** A key (run key and the like) given as {@code field}. */
	public static PathSegment key(String field, String value) {
		if (!isKey(value)) {
			throw new Invalid(field, value, KEY);
		}
		return new PathSegment(value);
	}

	/** Whether {@code value} is a valid {@link #key key}. */
	public static boolean isKey(String value) {
		return value != null && KEY.matcher(value).matches();
	}

	/** Whether {@code value} is a valid {@link #name name}. */
	public static boolean isName(String value) {
		return value != null && NAME.matcher(value).matches();
	}

	/**
	 * This segment as a child of {@code dir}; checked once more after normalisation, so
	 * that nothing built here can leave {@code dir}.
	 */
	public Path in(Path dir) {
		Path base = dir.toAbsolutePath().normalize();
		Path child = base.resolve(this.value).normalize();
		if (!base.equals(child.getParent())) {
			throw new Invalid("value", this.value, KEY);
		}
		return child;
	}

	@Override
	public String toString() {
		return this.value;
	}

	/** A name that cannot be a path segment; says the field and the rule, not a path. */
	public static final class Invalid extends IllegalArgumentException {

		private final String field;

		Invalid(String field, String value, Pattern rule) {
			super(field + ": " + shown(value) + " must match " + rule.pattern());
			this.field = field;
		}

		/** The field that held the name. */
		public String field() {
			return this.field;
		}

		private static String shown(String value) {
			if (value == null) {
				return "a missing name";
			}
			String printable = value.codePoints()
				.limit(80)
				.map(c -> Character.isISOControl(c) ? '?' : c)
				.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
				.toString();
			return "'" + printable + ((value.length() > 80) ? "…" : "") + "'";
		}

	}

}
