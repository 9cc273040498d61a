package dev.rota.tenancy;

/**
 * The Kubernetes namespace of a project or subproject: derived from the node's id alone, so it
 * stays the same when the node is renamed or moved.
 */
public final class NamespaceName {

  public static final String PREFIX = "rota-n";

  private NamespaceName() {}

  public static String of(long nodeId) {
    return PREFIX + nodeId;
  }
}
