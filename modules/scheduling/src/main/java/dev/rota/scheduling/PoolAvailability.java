package dev.rota.scheduling;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the queue asks before it places a task: may a task of tenancy node N run on GPU pool P at
 * instant T, and is P reserved for someone else then. Answered by one indexed query in the caller's
 * transaction.
 */
public interface PoolAvailability {

  /**
   * The pool's state at {@code at} for a task of {@code nodeId}. A pool without a calendar is free.
   *
   * @param pool the pool's name, as its calendar names it (the node-pool label value)
   */
  PoolStatus check(Connection connection, long nodeId, String pool, Instant at);

  /**
   * The first window of the pool's calendar that would stop a task of {@code nodeId} running from
   * {@code from} for {@code within}: a maintenance window, or a reservation held for a node that is
   * neither the node nor one of its ancestors, that holds the pool at some instant of [from, from +
   * within). Weekly windows count with every occurrence, also across the week's end and for spans
   * longer than a week. Empty when nothing blocks (or the pool has no calendar).
   */
  Optional<Block> nextBlock(
      Connection connection, long nodeId, String pool, Instant from, Duration within);

  /**
   * A window ahead that would stop a task.
   *
   * @param state {@link State#MAINTENANCE} or {@link State#RESERVED_FOR_OTHER}
   * @param startsAt when the window's occurrence begins to hold the pool ({@code from} when it
   *     already holds it then)
   */
  record Block(State state, long windowId, Long ownerNodeId, Instant startsAt) {}

  /** What holds a pool at an instant, as seen by a task of one node. */
  enum State {
    /** No window holds the pool. */
    FREE,
    /** A reservation of the node itself or of one of its ancestors holds the pool. */
    RESERVED_FOR_NODE,
    /** A reservation of a node that is neither the node nor an ancestor holds the pool. */
    RESERVED_FOR_OTHER,
    /** A maintenance window: nothing runs. */
    MAINTENANCE
  }

  /**
   * The answer.
   *
   * @param windowId the window that holds the pool, null when free
   * @param ownerNodeId the node that holds the reservation, null when free or for maintenance
   *     without an owner
   */
  record PoolStatus(State state, Long windowId, Long ownerNodeId) {

    public static final PoolStatus FREE = new PoolStatus(State.FREE, null, null);

    /** Whether a task of the node may run on the pool now. */
    public boolean mayRun() {
      return state == State.FREE || state == State.RESERVED_FOR_NODE;
    }

    /** Whether the pool is reserved for another node (or in maintenance). */
    public boolean heldBySomeoneElse() {
      return state == State.RESERVED_FOR_OTHER || state == State.MAINTENANCE;
    }
  }
}
