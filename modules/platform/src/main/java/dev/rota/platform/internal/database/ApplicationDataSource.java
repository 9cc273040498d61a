package dev.rota.platform.internal.database;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/** The Liberty data source {@code jdbc/rota} from server.xml, looked up on each use. */
public final class ApplicationDataSource {

  public static final String JNDI_NAME = "jdbc/rota";

  private ApplicationDataSource() {}

  /**
   * Looks the data source up afresh: a reference kept from a failed first lookup would stay broken
   * after the database comes back.
   */
  public static DataSource lookup() {
    try {
      return InitialContext.doLookup(JNDI_NAME);
    } catch (NamingException e) {
      throw new IllegalStateException("The data source " + JNDI_NAME + " is not configured", e);
    }
  }
}
