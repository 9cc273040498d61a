package dev.rota.platform.internal.bootstrap;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes a production install fail closed: with an external database ({@code ROTA_DB_URL}) Rota is
 * taken to be in production and refuses to start while a development default is still in place,
 * naming the variable to set. The embedded defaults of {@code ./rota run} (no {@code ROTA_DB_URL})
 * stay as they are.
 */
final class ProductionGuard {

  /** The Admin Center password server.xml falls back to; fine on a laptop, never in production. */
  static final String DEVELOPMENT_ADMIN_PASSWORD = "rota-dev-only";

  /**
   * What the guard looks at.
   *
   * @param externalDatabase whether ROTA_DB_URL names a database
   * @param adminPassword the Admin Center password in effect
   * @param jwtKeyLocation where bearer tokens' verification key is read from
   * @param developmentKeyLocation where Rota would create its own development key
   * @param kubernetesMode the configured mode (auto, kubeconfig, in-cluster, simulated)
   * @param kubeconfigNamed whether ROTA_KUBERNETES_KUBECONFIG names a file
   * @param insideCluster whether Rota runs in a pod (KUBERNETES_SERVICE_HOST is set)
   */
  record Settings(
      boolean externalDatabase,
      String adminPassword,
      String jwtKeyLocation,
      String developmentKeyLocation,
      String kubernetesMode,
      boolean kubeconfigNamed,
      boolean insideCluster) {}

  private ProductionGuard() {}

  /** Every development default still in force in a production install; empty when none. */
  static List<String> problems(Settings settings) {
    List<String> problems = new ArrayList<>();
    if (!settings.externalDatabase()) {
      return problems;
    }
    String password = settings.adminPassword();
    if (password == null || password.isBlank() || password.equals(DEVELOPMENT_ADMIN_PASSWORD)) {
      problems.add(
          "the Admin Center password is the development default: set ROTA_ADMIN_PASSWORD"
              + " (and ROTA_ADMIN_USER)");
    }
    if (settings.jwtKeyLocation().equals(settings.developmentKeyLocation())) {
      problems.add(
          "bearer tokens would be verified with a key Rota generated itself: set"
              + " ROTA_JWT_PUBLIC_KEY_LOCATION (and ROTA_JWT_ISSUER) to your identity provider's");
    }
    if (settings.kubernetesMode().trim().equalsIgnoreCase("auto")
        && !settings.kubeconfigNamed()
        && !settings.insideCluster()) {
      problems.add(
          "ROTA_KUBERNETES_MODE is auto but there is no cluster to drive (no"
              + " ROTA_KUBERNETES_KUBECONFIG, not running in a pod): set ROTA_KUBERNETES_KUBECONFIG,"
              + " or ROTA_KUBERNETES_MODE=simulated to use a simulated cluster on purpose");
    }
    return problems;
  }

  /** Throws, saying every variable to set, unless the install is safe to start. */
  static void check(Settings settings) {
    List<String> problems = problems(settings);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Rota uses an external database (ROTA_DB_URL), so it runs as a production install, and"
              + " refuses to start on development defaults: "
              + String.join("; ", problems)
              + ".");
    }
  }
}
