package dev.rota.it.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * Keeps the modular monolith modular: checked over every Rota class on the classpath (all module
 * jars), and against fixtures that break each rule, so that a rule that stopped biting would fail
 * here too.
 */
class ModuleBoundariesTest {

  private static final JavaClasses ROTA =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.rota");

  private static final JavaClasses FIXTURES =
      new ClassFileImporter().importPackages("fixture.rota");

  @Test
  void rota_classes_are_on_the_classpath() {
    assertThat(ROTA.containPackage("dev.rota.platform")).isTrue();
    assertThat(ROTA.containPackage("dev.rota.tenancy")).isTrue();
  }

  @Test
  void platform_depends_on_no_module() {
    ModuleRules.platformDependsOnNoModule("dev.rota").check(ROTA);
  }

  @Test
  void modules_reach_each_other_only_through_their_api() {
    ModuleRules.internalsStayInside("dev.rota").check(ROTA);
  }

  @Test
  void modules_form_no_cycle() {
    ModuleRules.noCycles("dev.rota").check(ROTA);
  }

  @Test
  void domain_has_no_http_and_rest_has_no_entity_manager() {
    ModuleRules.layers("dev.rota").check(ROTA);
  }

  @Test
  void each_rule_catches_its_violation_in_the_fixtures() {
    assertViolated(ModuleRules.platformDependsOnNoModule("fixture.rota"), "PlatformReachingQueue");
    assertViolated(ModuleRules.internalsStayInside("fixture.rota"), "QueueUsingStorageInternals");
    assertViolated(ModuleRules.noCycles("fixture.rota"), "Cycle");
  }

  private static void assertViolated(ArchRule rule, String offender) {
    assertThat(rule.evaluate(FIXTURES).getFailureReport().getDetails())
        .anySatisfy(line -> assertThat(line).contains(offender));
  }
}
