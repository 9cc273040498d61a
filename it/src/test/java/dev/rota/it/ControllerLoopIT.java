package dev.rota.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.json.Json;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller loop inside Liberty: its EJB timers, managed threads, LISTEN connection and
 * informers running for real. Drift made by hand in the server's simulated cluster is repaired with
 * no request to Rota, the full resync ticks (the test server runs it every few seconds, see
 * it/pom.xml) and the server log never shows DSRA9350E (a commit inside a container transaction).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ControllerLoopIT {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  @Test
  void drift_made_by_hand_is_repaired_without_any_request_and_the_resync_timer_runs_clean() {
    long group = create("group", null, "Loop " + suffix, 4);
    long project = create("project", group, "Repaired", 3);
    String user = rota.createUser(admin, "loop-" + suffix);
    rota.bind(
        admin, project, Json.createObjectBuilder().add("user", user).add("role", "member").build());
    String namespace = "rota-n" + project;
    try (KubernetesClient cluster = rota.simulatedCluster()) {
      await("the namespace converges", () -> gpuQuota(cluster, namespace).equals("0"));
      await("the role binding converges", () -> bindings(cluster, namespace) == 1);
      // The GPU quota is the queue's reconciler's, so it may land before tenancy's row settles.
      await(
          "the node reads synced",
          () ->
              RotaClient.ok(rota.get(admin, "/api/v1/nodes/" + project))
                  .getString("sync")
                  .equals("synced"));
      double resyncsBefore = resyncs();

      cluster.rbac().roleBindings().inNamespace(namespace).delete();
      cluster
          .resourceQuotas()
          .inNamespace(namespace)
          .withName("rota-gpu-quota")
          .edit(
              quota -> {
                quota.getSpec().getHard().put("requests.nvidia.com/gpu", new Quantity("99"));
                return quota;
              });

      await("the deleted role binding is back", () -> bindings(cluster, namespace) == 1);
      await("the edited quota is back", () -> gpuQuota(cluster, namespace).equals("0"));
      await("a full resync ran since", () -> resyncs() > resyncsBefore);
    }
    assertThat(ServerLog.read()).doesNotContain("DSRA9350E").doesNotContain("CNTR0020E");
  }

  private long create(String kind, Long parent, String name, int gpus) {
    var body =
        Json.createObjectBuilder().add("kind", kind).add("name", name).add("guaranteedGpus", gpus);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return RotaClient.id(rota.post(admin, "/api/v1/nodes", body.build().toString()));
  }

  private static String gpuQuota(KubernetesClient cluster, String namespace) {
    ResourceQuota quota =
        cluster.resourceQuotas().inNamespace(namespace).withName("rota-gpu-quota").get();
    return quota == null ? "" : quota.getSpec().getHard().get("requests.nvidia.com/gpu").toString();
  }

  private static int bindings(KubernetesClient cluster, String namespace) {
    return cluster.rbac().roleBindings().inNamespace(namespace).list().getItems().size();
  }

  /** rota_reconcile_resyncs_total from the Prometheus text, 0 before the first resync. */
  private double resyncs() {
    return rota.get("/metrics?scope=application")
        .body()
        .lines()
        .filter(line -> line.startsWith("rota_reconcile_resyncs_total"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within " + DEADLINE).isLessThan(deadline);
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
