package dev.retrain.jobs.pipeline;

import java.lang.reflect.Method;
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
import java.util.regex.Pattern;
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
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Binds a YAML configuration file (kebab-case keys, enums as words in any case) to typed
 * records and validates them with Bean Validation, collecting every problem of the file
 * rather than the first: in one pass, a {@link DeserializationProblemHandler} records
 * each field Jackson cannot bind and binds nothing in its place; what was bound is
 * validated, and a double that is not finite is refused wherever it stands. Problems name
 * the field as written ({@code model.hidden-layers[1]}).
 */
public final class ConfigBinder {

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
		Recorder recorder = new Recorder();
		T value;
		try {
			value = YAML.readerFor(type).withHandler(recorder).readValue(tree);
		}
		catch (DatabindException ex) {
			// a fault the recorder does not skip: named, and nothing is bound
			recorder.problems.add(new ConfigProblem(path(ex), "bad value"));
			return new Bound<>(null, recorder.problems);
		}
		Bound<T> bound = new Bound<>(value, recorder.problems);
		List<ConfigProblem> invalid = new ArrayList<>();
		for (ConstraintViolation<T> v : VALIDATOR.validate(value)) {
			String field = field(v.getPropertyPath());
			if (!bound.reported(field)) {
				Object was = v.getInvalidValue();
				invalid.add(new ConfigProblem(field, v.getMessage() + ((was != null) ? ", was " + was : "")));
			}
		}
		nonFinite(value, "", invalid);
		List<ConfigProblem> problems = new ArrayList<>(recorder.problems);
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

	/**
	 * Records each value Jackson cannot bind, named by its field in the file's words, and
	 * binds nothing in its place (so the record's default applies, or a list keeps a
	 * null): one pass finds every such value.
	 */
	private static final class Recorder extends DeserializationProblemHandler {

		private final List<ConfigProblem> problems = new ArrayList<>();

		@Override
		public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, ValueDeserializer<?> deser,
				Object bean, String name) {
			// a record binds through its constructor: Jackson keeps the unknown fields
			// aside and hands them over at the end of the section, where the main
			// parser names the section
			String section = field(ctxt.getParser().streamReadContext());
			String field = (p == ctxt.getParser()) ? field(at(p)) : (section.isEmpty() ? "" : section + ".") + name;
			String known = deser.getKnownPropertyNames()
				.stream()
				.map(Object::toString)
				.sorted()
				.collect(Collectors.joining(", "));
			this.problems.add(new ConfigProblem(field, "unknown field '" + name + "' (known fields: " + known + ")"));
			p.skipChildren();
			return true;
		}

		@Override
		public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> target, String value,
				String message) {
			return skip(ctxt.getParser(), target);
		}

		@Override
		public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> target, Number value,
				String message) {
			return skip(ctxt.getParser(), target);
		}

		@Override
		public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType target, JsonToken token, JsonParser p,
				String message) {
			return skip(p, target.getRawClass());
		}

		@Override
		public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> target,
				ValueInstantiator instantiator, JsonParser p, String message) {
			return skip(p, target);
		}

		private Object skip(JsonParser p, Class<?> target) {
			String reason = (target.isEnum() && p.currentToken().isScalarValue())
					? "'" + p.getString() + "' is not one of " + words(target)
					: "bad value: expected " + expected(target) + ", got " + written(p);
			this.problems.add(new ConfigProblem(field(at(p)), reason));
			p.skipChildren();
			return null;
		}

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

	/** The value a parser is at, as the file wrote it: its kind, or a short excerpt. */
	private static String written(JsonParser p) {
		JsonToken token = p.currentToken();
		if (token == JsonToken.START_ARRAY) {
			return "a list";
		}
		if (token == JsonToken.START_OBJECT) {
			return "a section (a map of fields)";
		}
		if (token == JsonToken.VALUE_NULL) {
			return "nothing (null)";
		}
		String text = p.getString();
		text = (text.length() > 40) ? text.substring(0, 40) + "…" : text;
		return (token.isNumeric() ? "the number " : token.isBoolean() ? "" : "the text ") + "'" + text + "'";
	}

	/** The context of the value a parser is at (a section or list opens its own). */
	private static TokenStreamContext at(JsonParser p) {
		return p.currentToken().isStructStart() ? p.streamReadContext().getParent() : p.streamReadContext();
	}

	/** A parser's place as the file writes it: {@code model.hidden-layers[1]}. */
	private static String field(TokenStreamContext context) {
		StringBuilder sb = new StringBuilder();
		for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
			sb.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.currentName());
		}
		return (!sb.isEmpty() && sb.charAt(0) == '.') ? sb.substring(1) : sb.toString();
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
			for (Component c : COMPONENTS.get(value.getClass())) {
				try {
					nonFinite(c.accessor().invoke(value), (at.isEmpty() ? "" : at + ".") + c.kebab(), problems);
				}
				catch (ReflectiveOperationException ex) {
					throw new IllegalStateException(ex);
				}
			}
		}
	}

	/** A record's component: its accessor, and its name as the file writes it. */
	private record Component(Method accessor, String kebab) {
	}

	/**
	 * The components of each record class, looked up once: walking a thousand files'
	 * records with reflection and a regular expression per field cost a quarter of
	 * loading them.
	 */
	private static final ClassValue<List<Component>> COMPONENTS = new ClassValue<>() {
		@Override
		protected List<Component> computeValue(Class<?> type) {
			List<Component> out = new ArrayList<>();
			for (RecordComponent c : type.getRecordComponents()) {
				Method m = c.getAccessor();
				m.setAccessible(true);
				out.add(new Component(m, kebab(c.getName())));
			}
			return List.copyOf(out);
		}
	};

	private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

	private static boolean related(String a, String b) {
		return a != null && b != null && (a.equals(b) || b.startsWith(a + ".") || b.startsWith(a + "[")
				|| a.startsWith(b + ".") || a.startsWith(b + "["));
	}

	static String kebab(String camel) {
		return CAMEL.matcher(camel).replaceAll("$1-$2").toLowerCase(Locale.ROOT);
	}

	private static String describe(JsonNode node) {
		return node.isArray() ? "a list" : "a single value (" + node + ")";
	}

}
