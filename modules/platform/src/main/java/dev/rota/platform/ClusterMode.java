package dev.rota.platform;

/** Where the Kubernetes client produced by the platform points. */
public enum ClusterMode {
  /** A kubeconfig file named by configuration. */
  KUBECONFIG,
  /** The service account of the pod Rota runs in. */
  IN_CLUSTER,
  /** An in-process fabric8 mock API server in CRUD mode, seeded with GPU nodes. */
  SIMULATED;

  /** Whether no real cluster is behind the client. */
  public boolean simulated() {
    return this == SIMULATED;
  }
}
