package dev.glad.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package layering of docs/ARCHITECTURE.md §0, checked over the compiled classes of
 * every module: no package cycles, the job apart from its tools, the model free of Flink.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.glad");
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.glad.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theJobDoesNotDependOnItsTools() {
    noClasses()
        .that()
        .resideInAPackage("dev.glad.flink..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.glad.cli..", "dev.glad.tools..", "dev.glad.model.workflow..")
        .check(classes);
  }

  @Test
  void theModelIsFreeOfFlinkAndKafka() {
    noClasses()
        .that()
        .resideInAPackage("dev.glad.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..", "dev.glad.flink..")
        .check(classes);
  }

  @Test
  void theSchemasDependOnNoOtherModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.glad.schemas..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.glad.model..", "dev.glad.flink..", "dev.glad.cli..", "dev.glad.tools..")
        .check(classes);
  }
}
