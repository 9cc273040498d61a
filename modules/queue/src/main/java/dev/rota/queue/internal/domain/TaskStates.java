package dev.rota.queue.internal.domain;

import dev.rota.queue.QueueException.InvalidTaskRequest;
import java.util.List;

/** The states a task passes through, as the tasks table's check constraint lists them. */
public final class TaskStates {

  public static final String PENDING = "pending";

  public static final List<String> ALL =
      List.of(PENDING, "admitted", "running", "preempting", "succeeded", "failed", "cancelled");

  private TaskStates() {}

  /** The state, or a 400 naming the states there are; null passes (no filter). */
  public static String requireKnown(String state) {
    if (state != null && !ALL.contains(state)) {
      throw new InvalidTaskRequest(
          "state must be one of " + String.join(", ", ALL) + "; '" + state + "' is none.");
    }
    return state;
  }
}
