package dev.rota.platform;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Makes the cluster match the database for one kind of object, one key at a time. A module
 * implements it as a CDI bean; the platform's workers call {@link #reconcile} for every key that
 * {@link Outbox#enqueue} recorded, retrying with backoff when it throws, and the full resync
 * enqueues every key of {@link #resyncKeys}.
 */
public interface Reconciler {

  /** The outbox kind this reconciler serves, e.g. {@code tenancy.namespace}; stable, it is data. */
  String kind();

  /**
   * Makes the cluster hold exactly what the database says about {@code key} now (reading the
   * database afresh), deleting this installation's objects for a key the database no longer knows.
   * Idempotent. Throwing marks the key failed; it is retried with exponential backoff.
   */
  void reconcile(String key) throws Exception;

  /**
   * Every key the full resync should reconcile: those the database knows and those this
   * installation's objects in the cluster name, so that objects whose row is gone get deleted.
   */
  Collection<String> resyncKeys();

  /** The Kubernetes objects this reconciler owns, watched so that drift is enqueued at once. */
  default List<Watched<?>> watched() {
    return List.of();
  }

  /**
   * A type of object to watch (only objects labelled with this installation are seen), how to find
   * the key that owns one (empty when the object names no key), and the part of its status that the
   * reconciler acts on (a Pod's phase): an update that changes only status enqueues the key when
   * that part changed. Without it, status changes are bookkeeping.
   */
  record Watched<T extends HasMetadata>(
      Class<T> type, Function<T, Optional<String>> owner, Function<T, Object> observed) {

    /** Watches the object's spec and metadata; its status changes are ignored. */
    public Watched(Class<T> type, Function<T, Optional<String>> owner) {
      this(type, owner, object -> null);
    }
  }
}
