package dev.rota.platform.internal.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The kubelet of the simulated cluster: it runs the Pods that are bound to a simulated node by
 * writing their status through the status subresource, as a real kubelet does. A bound Pod starts
 * running after the start delay; it then succeeds after the seconds its first container's {@code
 * ROTA_SIMULATED_SECONDS} names (else the default run time), fails with exit code 1 when that
 * container's command is {@code false}, and fails with {@code DeadlineExceeded} when it runs longer
 * than its {@code activeDeadlineSeconds}. Unbound Pods stay Pending; Pods being deleted are left
 * alone.
 */
final class SimulatedKubelet implements AutoCloseable {

  /** The Pod env variable that says how long a simulated Pod runs. */
  static final String SECONDS_VARIABLE = "ROTA_SIMULATED_SECONDS";

  private static final Logger LOG = Logger.getLogger(SimulatedKubelet.class.getName());
  private static final Duration POLL = Duration.ofMillis(200);

  private final KubernetesClient client;
  private final Duration startDelay;
  private final Duration defaultRunTime;
  private final ScheduledExecutorService loop;

  // Touched by the loop thread only. Keyed by uid, so a Pod deleted and created again under the
  // same name starts afresh.
  private final Map<String, Instant> boundSince = new HashMap<>();
  private final Map<String, Instant> runningSince = new HashMap<>();
  private boolean failing;

  /** Takes {@code client} over: it is closed with the kubelet. */
  SimulatedKubelet(KubernetesClient client, Duration startDelay, Duration defaultRunTime) {
    this.client = client;
    this.startDelay = startDelay;
    this.defaultRunTime = defaultRunTime;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "rota-simulated-kubelet");
              thread.setDaemon(true);
              return thread;
            });
  }

  void start() {
    loop.scheduleWithFixedDelay(this::tick, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One pass over every Pod; never throws, so that one bad answer cannot stop the kubelet. */
  private void tick() {
    try {
      List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
      forgetAllBut(pods);
      Set<String> nodes = null;
      boolean clean = true;
      for (Pod pod : pods) {
        if (!isOurs(pod)) {
          continue;
        }
        if (nodes == null) {
          nodes =
              client.nodes().list().getItems().stream()
                  .map(SimulatedKubelet::name)
                  .collect(Collectors.toSet());
        }
        if (nodes.contains(pod.getSpec().getNodeName()) && !stepped(pod)) {
          clean = false;
        }
      }
      failing = !clean;
    } catch (RuntimeException e) {
      report("The simulated kubelet could not list Pods and nodes", e);
    }
  }

  /** Moves one Pod on; a Pod that cannot be written does not hold up the others. */
  private boolean stepped(Pod pod) {
    try {
      step(pod, Instant.now()); // not the pass's start: under load a pass may take a while
      return true;
    } catch (RuntimeException e) {
      report("The simulated kubelet could not move Pod " + pod.getMetadata().getName(), e);
      return false;
    }
  }

  private void report(String what, RuntimeException e) {
    if (loop.isShutdown()) {
      return; // close() interrupted the request under way
    }
    // The first failure of a run is worth a warning; the same failure every 200 ms is not.
    LOG.log(failing ? Level.FINE : Level.WARNING, what, e);
    failing = true;
  }

  /** Pods bound to a node, not being deleted, and not yet finished. */
  private static boolean isOurs(Pod pod) {
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    String phase = phase(pod);
    return nodeName != null
        && !nodeName.isBlank()
        && pod.getMetadata().getDeletionTimestamp() == null
        && !"Succeeded".equals(phase)
        && !"Failed".equals(phase);
  }

  private void step(Pod pod, Instant now) {
    String uid = pod.getMetadata().getUid();
    if (!"Running".equals(phase(pod))) {
      Instant bound = boundSince.computeIfAbsent(uid, u -> now);
      if (!now.isBefore(bound.plus(startDelay))) {
        write(pod, PodStatuses.running(pod, now));
        runningSince.put(uid, now);
      }
      return;
    }
    Instant since = runningSince.computeIfAbsent(uid, u -> startTime(pod, now));
    Duration running = Duration.between(since, now);
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    if (deadline != null && running.compareTo(Duration.ofSeconds(deadline)) >= 0) {
      write(pod, PodStatuses.deadlineExceeded(pod, now));
    } else if (commandIsFalse(pod) && running.compareTo(startDelay) >= 0) {
      write(pod, PodStatuses.terminated(pod, now, 1));
    } else if (running.compareTo(runTime(pod)) >= 0) {
      write(pod, PodStatuses.terminated(pod, now, 0));
    }
  }

  private void write(Pod pod, PodStatus status) {
    pod.setStatus(status);
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) { // deleted since the list: nothing left to run
        throw e;
      }
    }
  }

  /** How long the Pod runs: its first container's ROTA_SIMULATED_SECONDS, else the default. */
  Duration runTime(Pod pod) {
    return firstContainer(pod).getEnv().stream()
        .filter(env -> SECONDS_VARIABLE.equals(env.getName()))
        .map(EnvVar::getValue)
        .filter(value -> value != null && !value.isBlank())
        .findFirst()
        .map(this::seconds)
        .orElse(defaultRunTime);
  }

  private Duration seconds(String value) {
    try {
      long millis = new BigDecimal(value.trim()).movePointRight(3).longValue();
      return millis < 0 ? defaultRunTime : Duration.ofMillis(millis);
    } catch (NumberFormatException e) {
      LOG.fine(() -> SECONDS_VARIABLE + "=" + value + " is no number; the default applies");
      return defaultRunTime;
    }
  }

  private static boolean commandIsFalse(Pod pod) {
    Container container = firstContainer(pod);
    return List.of("false").equals(container.getCommand())
        && (container.getArgs() == null || container.getArgs().isEmpty());
  }

  private static Container firstContainer(Pod pod) {
    return pod.getSpec().getContainers().isEmpty()
        ? new Container()
        : pod.getSpec().getContainers().get(0);
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  /** A Pod found Running that this kubelet did not start counts from its own startTime. */
  private static Instant startTime(Pod pod, Instant now) {
    try {
      String startTime = pod.getStatus().getStartTime();
      return startTime == null ? now : Instant.parse(startTime);
    } catch (DateTimeParseException e) {
      return now;
    }
  }

  private void forgetAllBut(List<Pod> pods) {
    Set<String> uids =
        pods.stream().map(pod -> pod.getMetadata().getUid()).collect(Collectors.toSet());
    boundSince.keySet().retainAll(uids);
    runningSince.keySet().retainAll(uids);
  }

  private static String name(HasMetadata resource) {
    return resource.getMetadata().getName();
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client.close();
    }
  }
}
