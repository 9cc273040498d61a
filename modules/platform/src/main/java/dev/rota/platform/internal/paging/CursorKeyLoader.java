package dev.rota.platform.internal.paging;

import dev.rota.platform.internal.database.ApplicationDataSource;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.logging.Logger;

/**
 * Installs the database's cursor signing key at start, after the bootstrap has migrated the schema
 * (a later observer priority than {@code RotaBootstrap}'s default), so that every server signs and
 * verifies cursors with the same key.
 */
@ApplicationScoped
public class CursorKeyLoader {

  private static final Logger LOG = Logger.getLogger(CursorKeyLoader.class.getName());

  private static final String KEY = "SELECT secret FROM platform.cursor_signing_key";

  void onStart(
      @Observes
          @Priority(Interceptor.Priority.APPLICATION + 900)
          @Initialized(ApplicationScoped.class)
          Object ignored) {
    try (Connection c = ApplicationDataSource.lookup().getConnection();
        PreparedStatement query = c.prepareStatement(KEY);
        ResultSet row = query.executeQuery()) {
      if (!row.next()) {
        throw new IllegalStateException(
            "platform.cursor_signing_key is empty; insert 32 random bytes (see V9_1)");
      }
      CursorSigner.useKey(row.getBytes(1));
      LOG.fine("Page cursors are signed with the database's key");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the cursor signing key", e);
    }
  }
}
