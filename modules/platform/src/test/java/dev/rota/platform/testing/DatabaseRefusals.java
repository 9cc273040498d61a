package dev.rota.platform.testing;

import org.postgresql.util.PSQLException;

/** What the database said when it refused a change, for tests that assert which rule fired. */
public final class DatabaseRefusals {

  private DatabaseRefusals() {}

  /** The name of the constraint PostgreSQL reported anywhere in the failure's causes. */
  public static String constraintOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
        return psql.getServerErrorMessage().getConstraint();
      }
    }
    throw new AssertionError("not a database refusal: " + failure, failure);
  }
}
