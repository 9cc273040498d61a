package dev.rota.queue.internal.application;

/** Who the queue's own transitions are recorded as, in task_events.actor. */
final class QueueActors {

  /** Transitions driven by the phases of the task's Pods. */
  static final String PODS = "rota:pods";

  /** Claims, dispatches and the reaper. */
  static final String DISPATCH = "rota:dispatch";

  private QueueActors() {}
}
