package dev.retrain.orchestrator;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.models.files.PathSegment;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, checked on the compiled main classes of all three modules:
 * dependencies point one way (orchestrator -> jobs -> models), the ML core knows nothing
 * of Spring, feature packages do not depend on each other in a circle, beans get what
 * they need through their constructors, and web controllers are the edge: nothing calls
 * them, and nothing outside their package sees them.
 */
class ArchitectureTests {

	/**
	 * Main classes only: not test classes, nor the test jars of models and jobs on this
	 * class path.
	 */
	private static final ImportOption MAIN_ONLY = (Location location) -> !location.contains("/test-classes/")
			&& !location.contains("-tests.jar");

	private static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(MAIN_ONLY)
		.importPackages("dev.retrain");

	@Test
	void theModulesPointOneWay() {
		noClasses().that()
			.resideInAPackage("dev.retrain.models..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.retrain.jobs..", "dev.retrain.orchestrator..")
			.check(CLASSES);
		noClasses().that()
			.resideInAPackage("dev.retrain.jobs..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.retrain.orchestrator..")
			.check(CLASSES);
	}

	@Test
	void theMlCoreIsPlainJava() {
		noClasses().that()
			.resideInAPackage("dev.retrain.models..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "jakarta.persistence..", "jakarta.servlet..")
			.check(CLASSES);
	}

	@Test
	void featurePackagesHaveNoCycles() {
		slices().matching("dev.retrain.(*).(*)..").namingSlices("$1.$2").should().beFreeOfCycles().check(CLASSES);
	}

	@Test
	void aVersionsLifeIsDecidedWithoutSpringOrTheDatabase() {
		noClasses().that()
			.haveNameMatching("dev\\.retrain\\.jobs\\.registry\\.ModelVersion(\\$.*)?")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "java.sql..")
			.check(CLASSES);
	}

	/**
	 * Request data never becomes a file name by itself: the application's request-facing
	 * code (every package of the orchestrator but the start-up and the jar's commands and
	 * their argument checks (`cli`), whose arguments are the operator's own) builds no
	 * path; it reaches files through the jobs' services, which take names only as a
	 * {@code PathSegment}. The policy file whose name escaped its directory went through
	 * {@code Path.resolve} on a name from a request body.
	 */
	@Test
	void requestHandlingCodeBuildsNoPaths() {
		noClasses().that()
			.resideInAPackage("dev.retrain.orchestrator..")
			.and()
			.doNotHaveFullyQualifiedName("dev.retrain.orchestrator.RetrainApplication")
			.and()
			.doNotHaveFullyQualifiedName("dev.retrain.orchestrator.backtest.Commands")
			.and()
			.resideOutsideOfPackage("dev.retrain.orchestrator.cli..")
			.should()
			.callMethod(Path.class, "resolve", String.class)
			.orShould()
			.callMethod(Path.class, "of", String.class, String[].class)
			.orShould()
			.callMethod(Path.class, "of", URI.class)
			.orShould()
			.callMethod(Paths.class, "get", String.class, String[].class)
			.orShould()
			.callMethod(Paths.class, "get", URI.class)
			.orShould()
			.callConstructor(File.class, String.class)
			.orShould()
			.callConstructor(File.class, String.class, String.class)
			.check(CLASSES);
	}

	/**
	 * A policy sandbox is placed only through {@code PathSegment}: the one class that
	 * turned a request's string into a directory.
	 */
	@Test
	void namesFromRequestsBecomeDirectoriesOnlyAsPathSegments() {
		classes().that()
			.haveFullyQualifiedName("dev.retrain.jobs.backtest.PolicySandbox")
			.should()
			.callMethod(PathSegment.class, "in", Path.class)
			.check(CLASSES);
	}

	/**
	 * A controller only translates HTTP: what the console and the REST API share (runs,
	 * schedules, backtests, the audit) is a service or a read model they both call. The
	 * console once called the REST controllers
	 * ({@code pipelineApi.launch(...).getBody()}).
	 */
	@Test
	void nothingDependsOnARestController() {
		classes().should(notDependOnAnotherRestController()).check(CLASSES);
	}

	@Test
	void controllersAreNotPublic() {
		classes().that()
			.areAnnotatedWith(RestController.class)
			.or()
			.areAnnotatedWith(Controller.class)
			.should()
			.notBePublic()
			.check(CLASSES);
	}

	/**
	 * Depends on no class annotated {@code @RestController} but itself (or the class it
	 * is nested in).
	 */
	private static ArchCondition<JavaClass> notDependOnAnotherRestController() {
		return new ArchCondition<>("not depend on a class annotated @RestController other than itself") {

			@Override
			public void check(JavaClass origin, ConditionEvents events) {
				JavaClass self = outermost(origin);
				for (Dependency d : origin.getDirectDependenciesFromSelf()) {
					JavaClass target = outermost(d.getTargetClass());
					if (!target.equals(self) && target.isAnnotatedWith(RestController.class)) {
						events.add(SimpleConditionEvent.violated(d, d.getDescription()));
					}
				}
			}

		};
	}

	private static JavaClass outermost(JavaClass c) {
		JavaClass outer = c;
		while (outer.getEnclosingClass().isPresent()) {
			outer = outer.getEnclosingClass().get();
		}
		return outer;
	}

	@Test
	void beansTakeWhatTheyNeedThroughTheirConstructors() {
		noFields().should().beAnnotatedWith(Autowired.class).check(CLASSES);
	}

}
