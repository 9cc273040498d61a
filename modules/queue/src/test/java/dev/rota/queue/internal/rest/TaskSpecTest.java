package dev.rota.queue.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rota.queue.QueueException.InvalidTaskRequest;
import dev.rota.queue.internal.rest.TaskWire.Container;
import dev.rota.queue.internal.rest.TaskWire.SubmitTask;
import dev.rota.queue.internal.rest.TaskWire.VolumeMount;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task's spec as the Pod builder reads it, and the mount rules Bean Validation cannot say. */
class TaskSpecTest {

  private static final Container BUSYBOX =
      new Container("busybox", List.of("sleep"), List.of("5"), Map.of("A", "1"));

  @Test
  void the_spec_holds_the_container_and_each_volume_with_its_claim_and_mount() {
    String spec =
        TaskResource.spec(
            BUSYBOX,
            List.of(new VolumeMount(12L, "/data", null), new VolumeMount(13L, "/models", true)));

    JsonObject parsed = Json.createReader(new StringReader(spec)).readObject();
    assertThat(parsed.keySet()).containsExactlyInAnyOrder("container", "volumes");
    assertThat(parsed.getJsonObject("container").getString("image")).isEqualTo("busybox");
    assertThat(parsed.getJsonArray("volumes"))
        .containsExactly(
            Json.createObjectBuilder()
                .add("volumeId", 12)
                .add("claimName", "rota-vol-12")
                .add("mountPath", "/data")
                .add("readOnly", false)
                .build(),
            Json.createObjectBuilder()
                .add("volumeId", 13)
                .add("claimName", "rota-vol-13")
                .add("mountPath", "/models")
                .add("readOnly", true)
                .build());
  }

  @Test
  void a_task_without_volumes_has_an_empty_list() {
    JsonObject parsed =
        Json.createReader(new StringReader(TaskResource.spec(BUSYBOX, List.of()))).readObject();

    assertThat(parsed.getJsonArray("volumes")).isEmpty();
  }

  @Test
  void a_volume_twice_a_path_twice_or_a_kernel_path_is_refused_naming_it() {
    assertThat(refusal(new VolumeMount(1L, "/a", null), new VolumeMount(1L, "/b", null)))
        .contains("Volume 1 is listed twice");
    assertThat(refusal(new VolumeMount(1L, "/a", null), new VolumeMount(2L, "/a", null)))
        .contains("mounted at /a");
    assertThat(refusal(new VolumeMount(3L, "/proc/x", null))).contains("Volume 3", "/proc/x");
    assertThat(task(new VolumeMount(4L, "/process", null)).mounts()).hasSize(1);
  }

  private static String refusal(VolumeMount... mounts) {
    return catchThrowableOfType(InvalidTaskRequest.class, () -> task(mounts).mounts()).getMessage();
  }

  private static SubmitTask task(VolumeMount... mounts) {
    return new SubmitTask(1L, "pool-a", 1, 1, null, BUSYBOX, null, null, List.of(mounts));
  }
}
