package dev.rota.tenancy.internal.rest;

import dev.rota.tenancy.internal.persistence.AuditRepository.AuditEvent;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.persistence.RoleRepository.RoleGrant;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;

/** Wire records of the user, membership, role and audit endpoints. */
public final class AccessViews {

  private AccessViews() {}

  public record UserView(String name, String displayName, OffsetDateTime createdAt) {
    static UserView of(UserRow row) {
      return new UserView(row.name(), row.displayName(), row.createdAt());
    }
  }

  public record CreateUser(
      @NotBlank
          @Pattern(
              regexp = "[A-Za-z0-9][A-Za-z0-9._@-]{0,127}",
              message = "must be 1-128 letters, digits or . _ @ -, starting with a letter or digit")
          String name,
      @Size(max = 200) String displayName) {}

  /** A role of a user (by name) or of a group (by path) at a node. */
  public record Grant(String partyKind, String party, String role) {
    static Grant of(RoleGrant grant) {
      return new Grant(grant.partyKind(), grant.partyName(), grant.role().sqlName());
    }
  }

  /** Bind a role to exactly one of a user or a group. */
  public record BindRole(
      String user,
      String group,
      @NotNull
          @Pattern(
              regexp = "viewer|member|admin|owner",
              message = "must be viewer, member, admin or owner")
          String role) {}

  public record AuditView(
      long id,
      OffsetDateTime at,
      String actor,
      String action,
      String entity,
      Long nodeId,
      String nodePath,
      String before,
      String after) {
    static AuditView of(AuditEvent e) {
      return new AuditView(
          e.id(),
          e.at(),
          e.actor(),
          e.action(),
          e.entity(),
          e.nodeId(),
          e.nodePath() == null ? null : e.nodePath().replace('.', '/'),
          e.before(),
          e.after());
    }
  }
}
