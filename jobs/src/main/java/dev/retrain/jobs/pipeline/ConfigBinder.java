package dev.retrain.jobs.pipeline;

import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Binds a YAML configuration file (kebab-case keys, enums as words in any case) to typed
 * records and validates them with Bean Validation, collecting every problem of the file
 * rather than the first. Jackson stops at the first field it cannot bind, so a field that
 * fails is recorded, taken out of the tree, and the tree is bound again; what remains is
 * validated, and a double that is not finite is refused wherever it stands. Problems name
 * the field as written ({@code model.hidden-layers[1]}).
 */
public final class ConfigBinder {

	private static final int MAX_BINDING_PROBLEMS = 200;

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private static final Validator VALIDATOR;

	static {
		// parameter interpolation only: the messages are plain text, and no expression
		// language is needed
		try (ValidatorFactory factory = Validation.byDefaultProvider()
			.configure()
			.messageInterpolator(new ParameterMessageInterpolator())
			.buildValidatorFactory()) {
			VALIDATOR = factory.getValidator();
		}
	}

	/**
	 * What was bound (null when nothing could be), and every problem found on the way.
	 */
	public record Bound<T>(T value, List<ConfigProblem> problems) {

		public Bound {
			problems = List.copyOf(problems);
		}

		/** Whether {@code field} or a field above or below it already has a problem. */
		public boolean reported(String field) {
			return this.problems.stream().map(ConfigProblem::field).anyMatch(f -> related(f, field));
		}

	}

	/** Binds and validates {@code text} as a {@code type}. */
	public <T> Bound<T> bind(String text, Class<T> type) {
		List<ConfigProblem> problems = new ArrayList<>();
		JsonNode tree;
		try {
			tree = YAML.readTree(text);
		}
		catch (JacksonException ex) {
			return new Bound<>(null, List.of(new ConfigProblem(null, "not valid YAML: " + ex.getOriginalMessage())));
		}
		if (tree == null || tree.isMissingNode() || tree.isNull() || (tree.isObject() && tree.isEmpty())) {
			return new Bound<>(null, List.of(new ConfigProblem(null, "the file is empty")));
		}
		if (!tree.isObject()) {
			return new Bound<>(null,
					List.of(new ConfigProblem(null, "must be a map of fields, not " + describe(tree))));
		}
		T value = null;
		while (value == null) {
			try {
				value = YAML.treeToValue(tree, type);
			}
			catch (DatabindException ex) {
				String field = path(ex);
				problems.add(new ConfigProblem(field, reason(ex, tree)));
				if (field.isEmpty() || problems.size() >= MAX_BINDING_PROBLEMS || !remove(tree, ex.getPath())) {
					return new Bound<>(null, problems);
				}
			}
		}
		Bound<T> bound = new Bound<>(value, problems);
		List<ConfigProblem> invalid = new ArrayList<>();
		for (ConstraintViolation<T> v : VALIDATOR.validate(value)) {
			String field = field(v.getPropertyPath());
			if (!bound.reported(field)) {
				Object was = v.getInvalidValue();
				invalid.add(new ConfigProblem(field, v.getMessage() + ((was != null) ? ", was " + was : "")));
			}
		}
		nonFinite(value, "", invalid);
		invalid.stream()
			.distinct()
			.sorted(Comparator.comparing(ConfigProblem::field).thenComparing(ConfigProblem::reason))
			.forEach(problems::add);
		return new Bound<>(value, problems);
	}

	/**
	 * Where in a YAML document a binding error is, as {@code a.b[2].c}; empty at the top.
	 */
	public static String path(DatabindException ex) {
		StringBuilder sb = new StringBuilder();
		for (JacksonException.Reference ref : ex.getPath()) {
			if (ref.getPropertyName() != null) {
				sb.append(sb.isEmpty() ? "" : ".").append(ref.getPropertyName());
			}
			else if (ref.getIndex() >= 0) {
				sb.append('[').append(ref.getIndex()).append(']');
			}
		}
		return sb.toString();
	}

	private static String reason(DatabindException ex, JsonNode tree) {
		if (ex instanceof UnrecognizedPropertyException u) {
			String known = u.getKnownPropertyIds()
				.stream()
				.map(Object::toString)
				.sorted()
				.collect(Collectors.joining(", "));
			return "unknown field '" + u.getPropertyName() + "' (known fields: " + known + ")";
		}
		if (ex instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
			return "'" + f.getValue() + "' is not one of " + words(f.getTargetType());
		}
		Class<?> target = (ex instanceof MismatchedInputException m) ? m.getTargetType() : null;
		JsonNode got = at(tree, ex.getPath());
		if (target != null && got != null) {
			// the file's words, never the Java type it was bound to
			return "bad value: expected " + expected(target) + ", got " + written(got);
		}
		return "bad value" + ((got != null) ? ": " + written(got) + " cannot be read here" : "");
	}

	/** What a field of {@code type} takes, in a pipeline file's words. */
	static String expected(Class<?> type) {
		if (type == Integer.class || type == int.class || type == Long.class || type == long.class
				|| type == Short.class || type == short.class) {
			return "a whole number";
		}
		if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
			return "a number";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "true or false";
		}
		if (type == String.class) {
			return "a text";
		}
		if (type.isEnum()) {
			return "one of " + words(type);
		}
		if (Collection.class.isAssignableFrom(type) || type.isArray()) {
			return "a list";
		}
		if (type == LocalDate.class) {
			return "a date (YYYY-MM-DD)";
		}
		if (type == Duration.class) {
			return "a duration (e.g. 30s, 15m, 12h)";
		}
		return "a section (a map of fields)";
	}

	/** A node as the file wrote it: its kind, and a short excerpt of a single value. */
	private static String written(JsonNode node) {
		if (node.isArray()) {
			return "a list";
		}
		if (node.isObject()) {
			return "a section (a map of fields)";
		}
		if (node.isNull()) {
			return "nothing (null)";
		}
		String text = node.asString();
		text = (text.length() > 40) ? text.substring(0, 40) + "…" : text;
		return (node.isNumber() ? "the number " : node.isBoolean() ? "" : "the text ") + "'" + text + "'";
	}

	private static JsonNode at(JsonNode tree, List<JacksonException.Reference> path) {
		JsonNode node = tree;
		for (JacksonException.Reference ref : path) {
			if (node == null) {
				return null;
			}
			node = (ref.getPropertyName() != null) ? node.get(ref.getPropertyName())
					: (ref.getIndex() >= 0) ? node.get(ref.getIndex()) : null;
		}
		return node;
	}

	/**
	 * The words an enum is written as: its {@link JsonProperty} names, or its constants
	 * in lower case.
	 */
	static List<String> words(Class<?> type) {
		Set<String> words = new TreeSet<>();
		for (Object constant : type.getEnumConstants()) {
			String name = ((Enum<?>) constant).name();
			try {
				JsonProperty p = type.getField(name).getAnnotation(JsonProperty.class);
				words.add((p != null) ? p.value() : name.toLowerCase(Locale.ROOT));
			}
			catch (NoSuchFieldException ex) {
				words.add(name.toLowerCase(Locale.ROOT));
			}
		}
		return List.copyOf(words);
	}

	/**
	 * Takes the node a binding error points at out of the tree (a list keeps its length:
	 * the element becomes null).
	 */
	private static boolean remove(JsonNode tree, List<JacksonException.Reference> path) {
		JsonNode parent = tree;
		for (int i = 0; i < path.size() - 1; i++) {
			JacksonException.Reference ref = path.get(i);
			parent = (ref.getPropertyName() != null) ? parent.get(ref.getPropertyName()) : parent.get(ref.getIndex());
			if (parent == null) {
				return false;
			}
		}
		JacksonException.Reference last = path.get(path.size() - 1);
		if (parent instanceof ObjectNode o && last.getPropertyName() != null && o.has(last.getPropertyName())) {
			o.remove(last.getPropertyName());
			return true;
		}
		if (parent instanceof ArrayNode a && last.getIndex() >= 0 && last.getIndex() < a.size()
				&& !a.get(last.getIndex()).isNull()) {
			a.set(last.getIndex(), NullNode.getInstance());
			return true;
		}
		return false;
	}

	/**
	 * A Bean Validation path as the file writes it: kebab-case names, list indexes in
	 * brackets.
	 */
	private static String field(Path path) {
		StringBuilder sb = new StringBuilder();
		for (Path.Node node : path) {
			if (node.isInIterable() && node.getIndex() != null) {
				sb.append('[').append(node.getIndex()).append(']');
			}
			if (node.getKind() != ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
				sb.append(sb.isEmpty() ? "" : ".").append(kebab(node.getName()));
			}
		}
		return sb.toString();
	}

	/**
	 * Refuses NaN and infinities in every double of the bound records, lists included.
	 */
	private static void nonFinite(Object value, String at, List<ConfigProblem> problems) {
		if (value instanceof Double d && !Double.isFinite(d)) {
			problems.add(new ConfigProblem(at, "must be a finite number, was " + d));
		}
		else if (value instanceof Collection<?> list) {
			int i = 0;
			for (Object element : list) {
				nonFinite(element, at + "[" + i++ + "]", problems);
			}
		}
		else if (value != null && value.getClass().isRecord()) {
			for (RecordComponent c : value.getClass().getRecordComponents()) {
				try {
					Field f = value.getClass().getDeclaredField(c.getName());
					f.setAccessible(true);
					nonFinite(f.get(value), (at.isEmpty() ? "" : at + ".") + kebab(c.getName()), problems);
				}
				catch (ReflectiveOperationException ex) {
					throw new IllegalStateException(ex);
				}
			}
		}
	}

	private static boolean related(String a, String b) {
		return a != null && b != null && (a.equals(b) || b.startsWith(a + ".") || b.startsWith(a + "[")
				|| a.startsWith(b + ".") || a.startsWith(b + "["));
	}

	static String kebab(String camel) {
		return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

	private static String describe(JsonNode node) {
		return node.isArray() ? "a list" : "a single value (" + node + ")";
	}

}
