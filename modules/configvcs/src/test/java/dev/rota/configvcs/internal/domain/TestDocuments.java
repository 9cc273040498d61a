package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.Random;

/** Documents for the tests: a realistic configuration of about 1 MB, and awkward JSON. */
public final class TestDocuments {

  private TestDocuments() {}

  /** A platform team's configuration: defaults, per-team quotas and environments, an image list. */
  public static JsonObject large(int teams) {
    Random random = new Random(42);
    JsonObjectBuilder perTeam = JsonText.PROVIDER.createObjectBuilder();
    for (int t = 0; t < teams; t++) {
      String name = "team-%04d".formatted(t);
      JsonArrayBuilder members = JsonText.PROVIDER.createArrayBuilder();
      for (int m = 0; m < 4; m++) {
        members.add("user-" + random.nextInt(100_000));
      }
      perTeam.add(
          name,
          JsonText.PROVIDER
              .createObjectBuilder()
              .add(
                  "quota",
                  JsonText.PROVIDER
                      .createObjectBuilder()
                      .add("gpus", random.nextInt(64))
                      .add("cpus", 8 * random.nextInt(32))
                      .add("memoryGi", 64 * random.nextInt(16))
                      .add("storageTi", random.nextInt(100) / 10.0))
              .add("image", "registry.example.com/ml/" + name + ":2026." + random.nextInt(12))
              .add(
                  "env",
                  JsonText.PROVIDER
                      .createObjectBuilder()
                      .add("WANDB_PROJECT", name)
                      .add("HF_HOME", "/data/" + name + "/hf")
                      .add("NCCL_DEBUG", random.nextBoolean() ? "INFO" : "WARN")
                      .add("OMP_NUM_THREADS", String.valueOf(1 + random.nextInt(16))))
              .add("members", members)
              .add(
                  "policies",
                  JsonText.PROVIDER
                      .createObjectBuilder()
                      .add("preemptible", random.nextBoolean())
                      .add("maxRuntimeHours", 1 + random.nextInt(168))
                      .add("priority", random.nextInt(1000) / 1000.0)
                      .add(
                          "pools",
                          JsonText.PROVIDER
                              .createArrayBuilder()
                              .add(random.nextBoolean() ? "pool-a" : "pool-b")))
              .add(
                  "labels",
                  JsonText.PROVIDER
                      .createObjectBuilder()
                      .add("cost-center", "cc-" + random.nextInt(9999))
                      .add("tier", random.nextInt(3))));
    }
    JsonArrayBuilder images = JsonText.PROVIDER.createArrayBuilder();
    for (int i = 0; i < teams / 4; i++) {
      images.add(
          JsonText.PROVIDER
              .createObjectBuilder()
              .add("name", "registry.example.com/base/cuda-" + i)
              .add(
                  "digest",
                  "sha256:"
                      + Long.toHexString(random.nextLong())
                      + Long.toHexString(random.nextLong()))
              .add(
                  "tags",
                  JsonText.PROVIDER.createArrayBuilder().add("12." + (i % 10)).add("latest")));
    }
    return JsonText.PROVIDER
        .createObjectBuilder()
        .add(
            "defaults",
            JsonText.PROVIDER
                .createObjectBuilder()
                .add("image", "registry.example.com/base/cuda-12:latest")
                .add(
                    "quota", JsonText.PROVIDER.createObjectBuilder().add("gpus", 1).add("cpus", 8)))
        .add("teams", perTeam)
        .add("images", images)
        .build();
  }

  /** Unicode, large and precise numbers, deep nesting, empty containers, strings like markers. */
  public static JsonValue awkward(int depth) {
    JsonValue nested = JsonText.PROVIDER.createObjectBuilder().add("bottom", true).build();
    for (int i = 0; i < depth; i++) {
      nested =
          i % 2 == 0
              ? JsonText.PROVIDER.createArrayBuilder().add(nested).build()
              : JsonText.PROVIDER.createObjectBuilder().add("d" + i, nested).build();
    }
    return JsonText.PROVIDER
        .createObjectBuilder()
        .add(
            "unicode",
            "Grüße, 日本語, emoji \ud83d\ude80, combining e\u0301, RTL \u05e9\u05dc\u05d5\u05dd, \u2028 \u0001 \u007f \"\\")
        .add("\ud83d\udd11 key", "emoji key")
        .add("#", "#a value like a marker")
        .add("##x", JsonText.PROVIDER.createObjectBuilder().add("#", 0))
        .add(
            "markers",
            JsonText.PROVIDER
                .createArrayBuilder()
                .add("#0")
                .add("#")
                .add("##1")
                .add("#12x")
                .add("#1"))
        .add(
            "numbers",
            JsonText.PROVIDER
                .createArrayBuilder()
                .add(new BigDecimal("123456789012345678901234567890"))
                .add(new BigDecimal("3.14159265358979323846264338327950288419716939937510"))
                .add(new BigDecimal("9007199254740993"))
                .add(new BigDecimal("1e400"))
                .add(new BigDecimal("-1e-400"))
                .add(new BigDecimal("0.1"))
                .add(new BigDecimal("1.7976931348623157e308"))
                .add(new BigDecimal("5e-324"))
                .add(new BigDecimal("-0.0"))
                .add(Long.MIN_VALUE)
                .add(new BigDecimal("1.50")))
        .add(
            "empty",
            JsonText.PROVIDER
                .createObjectBuilder()
                .add("object", JsonValue.EMPTY_JSON_OBJECT)
                .add("array", JsonValue.EMPTY_JSON_ARRAY)
                .add("string", "")
                .add("null", JsonValue.NULL))
        .add("deep", nested)
        .build();
  }
}
