package dev.rota.queue.internal.rest;

import dev.rota.queue.QueueException.InvalidTaskRequest;
import dev.rota.queue.internal.persistence.TaskRepository.Event;
import dev.rota.queue.internal.persistence.TaskRow;
import jakarta.json.bind.annotation.JsonbTransient;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of the task endpoints. */
public final class TaskWire {

  private TaskWire() {}

  static final String SUBMIT_EXAMPLE =
      """
      {"nodeId": 42, "pool": "pool-a", "replicas": 2, "gpusPerReplica": 4,
       "priorityClass": "research",
       "container": {"image": "ghcr.io/acme/train:1.4", "command": ["python", "train.py"],
                     "args": ["--epochs", "10"], "env": {"WANDB_MODE": "offline"}},
       "maxRuntime": "PT12H",
       "volumes": [{"volumeId": 7, "mountPath": "/data", "readOnly": true}]}
      """;

  static final String VIEW_EXAMPLE =
      """
      {"id": 1001, "nodeId": 42, "pool": "pool-a", "replicas": 2, "gpusPerReplica": 4,
       "priorityClass": "research", "priority": 1000, "state": "pending", "attempt": 1,
       "submittedBy": "alice",
       "queuedAt": "2026-11-29T10:15:30Z"}
      """;

  /** The container every replica runs. */
  public record Container(
      @Schema(description = "An OCI image reference", example = "ghcr.io/acme/train:1.4")
          @NotBlank
          @Size(max = 512)
          String image,
      @Size(max = 64) List<@NotNull @Size(max = 4096) String> command,
      @Size(max = 256) List<@NotNull @Size(max = 4096) String> args,
      @Size(max = 128)
          Map<
                  @NotNull @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]{0,254}") String,
                  @NotNull @Size(max = 4096) String>
              env) {}

  /**
   * A volume the replicas mount: one attached at the task's node, at an absolute, normalized path
   * of the container (not under /proc, /sys or /dev).
   */
  public record VolumeMount(
      @Schema(description = "A volume attached at the task's node")
          @NotNull
          @Min(1)
          @Max(Long.MAX_VALUE)
          Long volumeId,
      @NotNull
          @Size(max = 256)
          @Pattern(
              regexp = "(/[A-Za-z0-9_][A-Za-z0-9._-]*)+",
              message = "must be an absolute path without '.', '..' or '//' segments")
          String mountPath,
      Boolean readOnly) {

    @JsonbTransient
    boolean readOnlyOrDefault() {
      return Boolean.TRUE.equals(readOnly);
    }
  }

  /** The most volumes one task mounts. */
  static final int MOST_VOLUMES = 16;

  private static final java.util.regex.Pattern KERNEL_PATHS =
      java.util.regex.Pattern.compile("^/(proc|sys|dev)(/|$)");

  /**
   * A task to submit: {@code replicas} × {@code gpusPerReplica} GPUs placed together (a gang) on
   * nodes of {@code pool}. Runtimes are ISO-8601 durations ({@code PT2H}).
   */
  public record SubmitTask(
      @Schema(description = "The project or subproject the task runs in")
          @NotNull
          @Min(1)
          @Max(Long.MAX_VALUE)
          Long nodeId,
      @Schema(description = "The GPU pool whose nodes run the replicas")
          @NotNull
          @Size(max = 63)
          @Pattern(regexp = "[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?", message = "must be a pool name")
          String pool,
      @NotNull @Min(1) @Max(256) Integer replicas,
      @NotNull @Min(1) @Max(64) Integer gpusPerReplica,
      @Schema(description = "A PriorityClass of the cluster; default: the globalDefault one")
          @Size(max = 253)
          @Pattern(
              regexp = "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?",
              message = "must be a PriorityClass name")
          String priorityClass,
      @Valid @NotNull Container container,
      @Schema(
              description =
                  "How long the task runs before it may be preempted: an ISO-8601 duration, more"
                      + " than zero and at most 366 days",
              example = "PT1H")
          @Size(max = 32)
          String minRuntime,
      @Schema(
              description =
                  "How long the task may run at most: an ISO-8601 duration, more than zero and at"
                      + " most 366 days",
              example = "PT12H")
          @Size(max = 32)
          String maxRuntime,
      @Size(max = MOST_VOLUMES) List<@Valid @NotNull VolumeMount> volumes) {

    /** The mounts, refused when a volume or a path comes twice or a path is the kernel's. */
    @JsonbTransient
    List<VolumeMount> mounts() {
      if (volumes == null) {
        return List.of();
      }
      Set<Long> ids = new HashSet<>();
      Set<String> paths = new HashSet<>();
      for (VolumeMount mount : volumes) {
        if (!ids.add(mount.volumeId())) {
          throw new InvalidTaskRequest(
              "Volume " + mount.volumeId() + " is listed twice; mount each volume once.");
        }
        if (!paths.add(mount.mountPath())) {
          throw new InvalidTaskRequest(
              "Two volumes are mounted at " + mount.mountPath() + "; give each its own path.");
        }
        if (KERNEL_PATHS.matcher(mount.mountPath()).find()) {
          throw new InvalidTaskRequest(
              "Volume "
                  + mount.volumeId()
                  + " cannot be mounted at "
                  + mount.mountPath()
                  + ": /proc, /sys and /dev belong to the container runtime.");
        }
      }
      return volumes;
    }

    /** The longest runtime a task may ask for. */
    static final Duration LONGEST = Duration.ofDays(366);

    @JsonbTransient
    Duration minRuntimeDuration() {
      return runtime("minRuntime", minRuntime);
    }

    @JsonbTransient
    Duration maxRuntimeDuration() {
      return runtime("maxRuntime", maxRuntime);
    }

    private static Duration runtime(String field, String value) {
      if (value == null) {
        return null;
      }
      Duration parsed;
      try {
        parsed = Duration.parse(value);
      } catch (DateTimeParseException e) {
        throw new InvalidTaskRequest(field + " must be an ISO-8601 duration such as PT2H.");
      }
      if (parsed.isNegative() || parsed.isZero() || parsed.compareTo(LONGEST) > 0) {
        throw new InvalidTaskRequest(field + " must be longer than zero and at most 366 days.");
      }
      return parsed.withNanos(0);
    }
  }

  /** A task as it stands. */
  public record TaskView(
      long id,
      long nodeId,
      String pool,
      int replicas,
      int gpusPerReplica,
      String priorityClass,
      int priority,
      String state,
      int attempt,
      String quotaMode,
      String waitReason,
      String submittedBy,
      Instant queuedAt) {

    static TaskView of(TaskRow row) {
      return new TaskView(
          row.id(),
          row.nodeId(),
          row.pool(),
          row.replicas(),
          row.gpusPerReplica(),
          row.priorityClass(),
          row.priority(),
          row.state(),
          row.attempt(),
          row.quotaMode(),
          row.waitReason(),
          row.submittedBy(),
          row.queuedAt());
    }
  }

  /** One transition of a task. */
  public record EventView(
      String from, String to, int attempt, String reason, String actor, Instant at) {
    static EventView of(Event event) {
      return new EventView(
          event.from(), event.to(), event.attempt(), event.reason(), event.actor(), event.at());
    }
  }
}
