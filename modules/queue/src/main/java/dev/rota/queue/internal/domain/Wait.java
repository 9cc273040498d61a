package dev.rota.queue.internal.domain;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.util.Map;

/**
 * Why a pending task was not admitted, with the numbers behind it (for explain).
 *
 * @param reason a reason code: capacity, gang-does-not-fit, volume-nodes-full, limit, maintenance,
 *     reservation, maintenance-ahead, reservation-ahead, starving-task-ahead, preempting-victims,
 *     guarantee-in-use
 */
public record Wait(String reason, Map<String, ?> numbers) {

  /** The numbers as a JSON object; absent numbers are JSON null. */
  public String detailJson() {
    JsonObjectBuilder detail = Json.createObjectBuilder();
    numbers.forEach(
        (name, value) -> {
          if (value == null) {
            detail.addNull(name);
          } else if (value instanceof Number number) {
            detail.add(name, number.longValue());
          } else if (value instanceof java.util.Collection<?> values) {
            jakarta.json.JsonArrayBuilder array = Json.createArrayBuilder();
            values.forEach(
                each -> {
                  if (each instanceof Number number) {
                    array.add(number.longValue());
                  } else {
                    array.add(String.valueOf(each));
                  }
                });
            detail.add(name, array);
          } else {
            detail.add(name, value.toString());
          }
        });
    return detail.build().toString();
  }
}
