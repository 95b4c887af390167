package dev.glad.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ranking service's layering (docs/ARCHITECTURE.md, "Serving"): it runs without Flink and
 * without the job, and its library does not know its HTTP server.
 */
class ServingArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.glad.serving");
  }

  @Test
  void theServiceRunsWithoutFlinkTheJobOrTheTools() {
    noClasses()
        .that()
        .resideInAPackage("dev.glad.serving..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..", "dev.glad.flink..", "dev.glad.cli..", "dev.glad.tools..")
        .check(classes);
  }

  @Test
  void theLibraryDoesNotKnowItsServer() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.glad.serving", "dev.glad.serving.memory", "dev.glad.serving.scoring")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.glad.serving.http..", "dev.glad.serving.app..", "org.eclipse.jetty..")
        .check(classes);
  }
}
