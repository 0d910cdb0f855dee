package dev.retrain.orchestrator;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, checked on the compiled main classes of all three modules:
 * dependencies point one way (orchestrator -> jobs -> models), the ML core knows nothing
 * of Spring, feature packages do not depend on each other in a circle, and beans get what
 * they need through their constructors.
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

	@Test
	void beansTakeWhatTheyNeedThroughTheirConstructors() {
		noFields().should().beAnnotatedWith(Autowired.class).check(CLASSES);
	}

}
