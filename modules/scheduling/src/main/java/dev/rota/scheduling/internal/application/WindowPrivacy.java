package dev.rota.scheduling.internal.application;

import dev.rota.platform.Caller;
import dev.rota.scheduling.internal.domain.WindowKind;
import dev.rota.scheduling.internal.persistence.WindowRow;
import dev.rota.tenancy.Authorization;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;

/**
 * What one caller may see of the windows they read. Every authenticated caller sees when a calendar
 * is held and by what kind of window (they need to know when a pool is free); the holder of a
 * reservation and its label only when the caller has a role at the holding node (tenancy's
 * effective role, as for reading the node itself). Maintenance windows are public, apart from an
 * owner node the caller cannot see. A hidden window shows as a reservation without owner or label.
 *
 * <p>One instance serves one read, in its transaction: it asks tenancy once per distinct owner.
 */
final class WindowPrivacy {

  private final Authorization authorization;
  private final Connection connection;
  private final Caller caller;
  private final Map<Long, Boolean> visible = new HashMap<>();

  WindowPrivacy(Authorization authorization, Connection connection, Caller caller) {
    this.authorization = authorization;
    this.connection = connection;
    this.caller = caller;
  }

  /** The window as the caller may see it. */
  WindowRow shown(WindowRow window) {
    Long owner = window.ownerNodeId();
    if (owner == null || seesNode(owner)) {
      return window;
    }
    return window.withoutOwner(window.kind() == WindowKind.RESERVATION);
  }

  private boolean seesNode(long nodeId) {
    return visible.computeIfAbsent(
        nodeId, id -> authorization.effectiveRole(connection, caller, id).isPresent());
  }
}
