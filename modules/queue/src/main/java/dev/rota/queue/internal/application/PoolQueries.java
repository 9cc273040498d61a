package dev.rota.queue.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.queue.QueueException.PoolNotFound;
import dev.rota.queue.QueueException.PoolViewForbidden;
import dev.rota.queue.internal.persistence.CapacityRepository.PriorityClassRow;
import dev.rota.queue.internal.persistence.PoolQueryRepository;
import dev.rota.queue.internal.persistence.PoolQueryRepository.DepthRow;
import dev.rota.queue.internal.persistence.PoolQueryRepository.NodeRow;
import dev.rota.queue.internal.persistence.TaskQueryRepository;
import dev.rota.queue.internal.persistence.TaskQueryRepository.QueueEntry;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Authorization.Visibility;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The platform's view of the GPU pools: their nodes, free GPUs and queues. Like the storage pools'
 * roots, it is shown to platform administrators and to anyone holding a role at some node; a pool's
 * queue shows in full only the tasks of nodes the caller sees, the others as place, priority and
 * size alone.
 */
@ApplicationScoped
public class PoolQueries {

  private final PoolQueryRepository pools = new PoolQueryRepository();
  private final TaskQueryRepository queries = new TaskQueryRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;

  public PoolQueries() {}

  /** For tests and tools outside the container. */
  public PoolQueries(Transactions transactions, Authorization authorization) {
    this.transactions = transactions;
    this.authorization = authorization;
  }

  /** One pool: its nodes by name, and its pending tasks per class, highest priority first. */
  public record Pool(String name, List<NodeRow> nodes, List<DepthRow> depth) {}

  /** Every pool that has a node or a pending task, by name. */
  public List<Pool> pools(Caller caller) {
    return transactions.read(
        c -> {
          requireSomeRole(c, caller);
          Map<String, Pool> byName = new TreeMap<>();
          for (NodeRow node : pools.nodes(c)) {
            pool(byName, node.pool()).nodes().add(node);
          }
          for (DepthRow depth : pools.depth(c)) {
            pool(byName, depth.pool()).depth().add(depth);
          }
          return List.copyOf(byName.values());
        });
  }

  /** The pool's pending tasks in admission order, after {@code afterPosition}. */
  public List<QueueEntry> queue(Caller caller, String pool, long afterPosition, int limit) {
    return transactions.read(
        c -> {
          Visibility seen = requireSomeRole(c, caller);
          if (!queries.poolKnown(c, pool)) {
            throw new PoolNotFound(pool);
          }
          return queries.queue(c, pool, seen, afterPosition, limit);
        });
  }

  /** The cluster's PriorityClasses as last mirrored, highest value first. */
  public List<PriorityClassRow> priorityClasses() {
    return transactions.read(pools::priorityClasses);
  }

  private Visibility requireSomeRole(Connection c, Caller caller) {
    Visibility seen = authorization.visibility(c, caller);
    if (!seen.anyRole()) {
      throw new PoolViewForbidden();
    }
    return seen;
  }

  private static Pool pool(Map<String, Pool> byName, String name) {
    return byName.computeIfAbsent(name, n -> new Pool(n, new ArrayList<>(), new ArrayList<>()));
  }
}
