package dev.rota.platform.internal.bootstrap;

import dev.rota.platform.internal.config.PlatformConfig;
import dev.rota.platform.internal.database.ApplicationDataSource;
import dev.rota.platform.internal.database.DatabaseMigrator;
import dev.rota.platform.internal.database.EmbeddedDatabase;
import dev.rota.platform.internal.kubernetes.KubernetesClientProducer;
import dev.rota.platform.internal.security.DevelopmentKeys;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prepares everything Rota needs before it serves a request, in order: a production install
 * (external database) is refused on development defaults, then the embedded PostgreSQL (when no
 * external database is configured), the schema migrations, the development signing keys (when no
 * identity provider is configured) and the Kubernetes client. Liberty routes no request to the
 * application until this observer returns; if a step fails the application does not start and the
 * log says what to do.
 */
@ApplicationScoped
public class RotaBootstrap {

  private static final Logger LOG = Logger.getLogger(RotaBootstrap.class.getName());

  @Inject PlatformConfig config;
  @Inject KubernetesClientProducer kubernetes;

  private EmbeddedDatabase embedded;
  private volatile String schemaVersion;

  void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    long started = System.nanoTime();
    try {
      ProductionGuard.check(
          new ProductionGuard.Settings(
              config.databaseUrl().isPresent(),
              config.adminPassword().orElse(null),
              config.jwtPublicKeyLocation(),
              new DevelopmentKeys(config.dataDir()).publicKeyLocation(),
              config.kubernetesMode(),
              config.kubeconfig().isPresent(),
              System.getenv("KUBERNETES_SERVICE_HOST") != null));
      startEmbeddedDatabaseIfNeeded();
      schemaVersion =
          new DatabaseMigrator(ApplicationDataSource.lookup(), getClass().getClassLoader())
              .migrate();
      createDevelopmentKeysIfNeeded();
      LOG.info("Kubernetes mode: " + kubernetes.mode());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "ROTA REFUSES TO START: " + e.getMessage(), e);
      stop();
      throw e;
    }
    LOG.info(
        () -> String.format("Rota is ready (%d ms)", (System.nanoTime() - started) / 1_000_000));
  }

  /** The schema version the bootstrap migrated to, or null before it has. */
  public String schemaVersion() {
    return schemaVersion;
  }

  /** Whether every start-up step has completed. */
  public boolean started() {
    return schemaVersion != null;
  }

  private void startEmbeddedDatabaseIfNeeded() {
    if (config.databaseUrl().isPresent()) {
      LOG.info("Using the database configured by ROTA_DB_URL");
      return;
    }
    embedded =
        EmbeddedDatabase.start(
            config.dataDir().resolve("postgres"),
            config.dataDir().resolve("postgres-binaries"),
            config.embeddedDatabasePort());
  }

  private void createDevelopmentKeysIfNeeded() {
    DevelopmentKeys keys = new DevelopmentKeys(config.dataDir());
    if (!config.jwtPublicKeyLocation().equals(keys.publicKeyLocation())) {
      LOG.info(() -> "Verifying bearer tokens with the key at " + config.jwtPublicKeyLocation());
      return;
    }
    if (keys.ensureExist()) {
      LOG.warning(
          "Created a DEVELOPMENT signing key pair in "
              + keys.publicKeyFile().getParent()
              + "; mint tokens with ./rota token NAME. Configure ROTA_JWT_PUBLIC_KEY_LOCATION"
              + " and ROTA_JWT_ISSUER for a real identity provider.");
    }
  }

  @PreDestroy
  void stop() {
    if (embedded != null) {
      embedded.close();
      embedded = null;
    }
  }
}
