package dev.rota.platform.internal.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The platform's settings, read once through MicroProfile Config (keys under {@code rota.}). */
@ApplicationScoped
public class PlatformConfig {

  @Inject
  @ConfigProperty(name = "rota.data.dir")
  String dataDir;

  @Inject
  @ConfigProperty(name = "rota.db.url")
  Optional<String> databaseUrl;

  @Inject
  @ConfigProperty(name = "rota.db.embedded.port")
  int embeddedDatabasePort;

  @Inject
  @ConfigProperty(name = "rota.http.max-body-bytes")
  long maxBodyBytes;

  @Inject
  @ConfigProperty(name = "rota.jwt.issuer")
  String jwtIssuer;

  @Inject
  @ConfigProperty(name = "rota.jwt.public-key-location")
  String jwtPublicKeyLocation;

  /** The Admin Center password; server.xml reads the same ROTA_ADMIN_PASSWORD. */
  @Inject
  @ConfigProperty(name = "rota.admin.password")
  Optional<String> adminPassword;

  @Inject
  @ConfigProperty(name = "rota.security.bootstrap-admin")
  String bootstrapAdmin;

  @Inject
  @ConfigProperty(name = "rota.security.admin-group")
  String adminGroup;

  @Inject
  @ConfigProperty(name = "rota.kubernetes.mode")
  String kubernetesMode;

  @Inject
  @ConfigProperty(name = "rota.kubernetes.kubeconfig")
  Optional<String> kubeconfig;

  @Inject
  @ConfigProperty(name = "rota.kubernetes.request-timeout-ms")
  int kubernetesRequestTimeoutMs;

  @Inject
  @ConfigProperty(name = "rota.kubernetes.simulated.nodes")
  int simulatedNodes;

  @Inject
  @ConfigProperty(name = "rota.kubernetes.simulated.gpus-per-node")
  int simulatedGpusPerNode;

  @Inject
  @ConfigProperty(name = "rota.kubernetes.simulated.pools")
  List<String> simulatedPools;

  /** How long a simulated Pod runs when its first container names no ROTA_SIMULATED_SECONDS. */
  @Inject
  @ConfigProperty(name = "rota.kubernetes.simulated.seconds")
  int simulatedSeconds;

  public Path dataDir() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  /** The external database, or empty when Rota runs its embedded PostgreSQL. */
  public Optional<String> databaseUrl() {
    return databaseUrl.filter(url -> !url.isBlank());
  }

  public int embeddedDatabasePort() {
    return embeddedDatabasePort;
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public String jwtIssuer() {
    return jwtIssuer;
  }

  public String jwtPublicKeyLocation() {
    return jwtPublicKeyLocation;
  }

  public Optional<String> adminPassword() {
    return adminPassword;
  }

  public String bootstrapAdmin() {
    return bootstrapAdmin;
  }

  public String adminGroup() {
    return adminGroup;
  }

  public String kubernetesMode() {
    return kubernetesMode;
  }

  public Optional<String> kubeconfig() {
    return kubeconfig.filter(path -> !path.isBlank());
  }

  public int kubernetesRequestTimeoutMs() {
    return kubernetesRequestTimeoutMs;
  }

  public int simulatedNodes() {
    return simulatedNodes;
  }

  public int simulatedGpusPerNode() {
    return simulatedGpusPerNode;
  }

  public List<String> simulatedPools() {
    return simulatedPools;
  }

  public int simulatedSeconds() {
    return simulatedSeconds;
  }
}
