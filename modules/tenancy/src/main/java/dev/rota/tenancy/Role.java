package dev.rota.tenancy;

/** A role a party holds at a tenancy node and, by inheritance, below it; ordered by rank. */
public enum Role {
  VIEWER,
  MEMBER,
  ADMIN,
  OWNER;

  /** Whether this role includes everything {@code other} may do. */
  public boolean atLeast(Role other) {
    return compareTo(other) >= 0;
  }

  /** The name PostgreSQL's {@code tenancy.role} enum uses. */
  public String sqlName() {
    return name().toLowerCase();
  }

  public static Role fromSql(String value) {
    return valueOf(value.toUpperCase());
  }
}
