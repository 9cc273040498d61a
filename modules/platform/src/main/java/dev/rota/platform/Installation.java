package dev.rota.platform;

import java.util.Objects;

/**
 * This Rota installation's identity, generated once into the database. Every object Rota applies to
 * Kubernetes carries it as the label {@link #LABEL}; deletions and watches look only at objects
 * that carry it, so two installations sharing a cluster never touch each other's objects.
 */
public final class Installation {

  public static final String LABEL = "rota.dev/installation";

  private final String id;

  public Installation(String id) {
    this.id = Objects.requireNonNull(id);
  }

  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
