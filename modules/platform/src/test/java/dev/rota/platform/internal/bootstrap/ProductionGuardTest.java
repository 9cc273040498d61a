package dev.rota.platform.internal.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A production install (external database) fails closed on every development default. */
class ProductionGuardTest {

  private static final String DEV_KEY = "file:/home/rota/.rota/jwt/public-key.pem";
  private static final String IDP_KEY = "https://idp.example/realms/gpu/certs";

  @Test
  void the_embedded_defaults_of_rota_run_start_as_they_are() {
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(
                    false, "rota-dev-only", DEV_KEY, DEV_KEY, "auto", false, false)))
        .isEmpty();
  }

  @Test
  void a_production_install_configured_for_production_starts() {
    assertThatCode(
            () ->
                ProductionGuard.check(
                    new ProductionGuard.Settings(
                        true, "s3cret-from-vault", IDP_KEY, DEV_KEY, "auto", true, false)))
        .doesNotThrowAnyException();
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(
                    true, "s3cret-from-vault", IDP_KEY, DEV_KEY, "auto", false, true)))
        .isEmpty();
  }

  @Test
  void the_development_admin_password_is_refused_naming_the_variable() {
    assertThatThrownBy(
            () ->
                ProductionGuard.check(
                    new ProductionGuard.Settings(
                        true, "rota-dev-only", IDP_KEY, DEV_KEY, "kubeconfig", true, false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ROTA_DB_URL")
        .hasMessageContaining("ROTA_ADMIN_PASSWORD");
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(true, " ", IDP_KEY, DEV_KEY, "auto", true, false)))
        .singleElement()
        .asString()
        .contains("ROTA_ADMIN_PASSWORD");
  }

  @Test
  void a_self_generated_jwt_key_is_refused_naming_the_variable() {
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(
                    true, "s3cret", DEV_KEY, DEV_KEY, "auto", true, false)))
        .singleElement()
        .asString()
        .contains("ROTA_JWT_PUBLIC_KEY_LOCATION");
  }

  @Test
  void auto_kubernetes_mode_without_a_real_cluster_is_refused_but_explicit_simulated_is_allowed() {
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(
                    true, "s3cret", IDP_KEY, DEV_KEY, "auto", false, false)))
        .singleElement()
        .asString()
        .contains("ROTA_KUBERNETES_KUBECONFIG", "ROTA_KUBERNETES_MODE=simulated");
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(
                    true, "s3cret", IDP_KEY, DEV_KEY, "simulated", false, false)))
        .isEmpty();
  }

  @Test
  void every_development_default_is_named_at_once() {
    assertThat(
            ProductionGuard.problems(
                new ProductionGuard.Settings(
                    true, "rota-dev-only", DEV_KEY, DEV_KEY, " AUTO ", false, false)))
        .hasSize(3);
  }
}
