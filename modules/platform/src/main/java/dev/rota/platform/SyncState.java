package dev.rota.platform;

/**
 * Where an object's Kubernetes state stands: {@code synced} (nothing waits in the outbox), {@code
 * pending} (waiting or being applied) or {@code failed} (the last attempt failed with {@code
 * lastError}; retried with backoff).
 */
public record SyncState(String sync, String lastError, int attempts) {

  public static final SyncState SYNCED = new SyncState("synced", null, 0);

  public boolean synced() {
    return "synced".equals(sync);
  }
}
