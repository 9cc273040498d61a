package dev.rota.it.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;

/**
 * Rota's module boundaries as ArchUnit rules over a root package, so that the same rules check the
 * real code ({@code dev.rota}) and the fixtures that prove they catch a violation.
 */
final class ModuleRules {

  static final List<String> DOMAIN_MODULES =
      List.of("tenancy", "configvcs", "storage", "scheduling", "queue");

  private ModuleRules() {}

  /** The platform kernel knows no domain module. */
  static ArchRule platformDependsOnNoModule(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + ".platform..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            DOMAIN_MODULES.stream().map(m -> root + "." + m + "..").toArray(String[]::new))
        .allowEmptyShould(true)
        .because("platform is the kernel every module builds on");
  }

  /** A module's internal packages are reached from that module only. */
  static ArchRule internalsStayInside(String root) {
    List<ArchRule> rules =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of("platform"), DOMAIN_MODULES.stream())
            .map(
                module ->
                    (ArchRule)
                        noClasses()
                            .that()
                            .resideOutsideOfPackage(root + "." + module + "..")
                            .and()
                            .resideInAPackage(root + "..")
                            .should()
                            .dependOnClassesThat()
                            .resideInAPackage(root + "." + module + ".internal..")
                            .allowEmptyShould(true)
                            .because("a module is used only through its root-package API"))
            .toList();
    return CompositeArchRule.of(rules);
  }

  /** Modules form a DAG. */
  static ArchRule noCycles(String root) {
    return slices().matching(root + ".(*)..").should().beFreeOfCycles().allowEmptyShould(true);
  }

  /** Domain code knows nothing of HTTP; REST code reaches the database only through services. */
  static ArchRule layers(String root) {
    return CompositeArchRule.of(
            noClasses()
                .that()
                .resideInAPackage(root + "..domain..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("jakarta.ws.rs..")
                .allowEmptyShould(true))
        .and(
            noClasses()
                .that()
                .resideInAPackage(root + "..rest..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("jakarta.persistence.EntityManager")
                .allowEmptyShould(true));
  }
}
