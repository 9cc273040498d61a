package dev.rota.tenancy;

/** What a tenancy node is; groups nest, projects sit in groups, subprojects in projects. */
public enum NodeKind {
  GROUP,
  PROJECT,
  SUBPROJECT;

  public String sqlName() {
    return name().toLowerCase();
  }

  public static NodeKind fromSql(String value) {
    return valueOf(value.toUpperCase());
  }

  /** Whether the node has a Kubernetes namespace of its own. */
  public boolean hasNamespace() {
    return this != GROUP;
  }
}
