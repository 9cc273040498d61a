package dev.rota.tenancy.internal.rest;

import dev.rota.tenancy.internal.domain.NodeLabel;
import dev.rota.tenancy.internal.domain.UserName;
import dev.rota.tenancy.internal.persistence.AuditRepository.AuditEvent;
import dev.rota.tenancy.internal.persistence.PartyRepository.UserRow;
import dev.rota.tenancy.internal.persistence.RoleRepository.RoleGrant;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
          @Size(max = UserName.MAX_LENGTH)
          @Pattern(regexp = UserName.PATTERN, message = UserName.RULE)
          @Schema(description = "The name the user's tokens carry")
          String name,
      @Size(max = 200) @Schema(description = "Any text, for people to read") String displayName) {}

  /** A role of a user (by name) or of a group (by path) at a node. */
  public record Grant(String partyKind, String party, String role) {
    static Grant of(RoleGrant grant) {
      return new Grant(grant.partyKind(), grant.partyName(), grant.role().sqlName());
    }
  }

  /** Bind a role to exactly one of a user or a group. */
  public record BindRole(
      @Size(max = UserName.MAX_LENGTH)
          @Pattern(regexp = UserName.PATTERN, message = UserName.RULE)
          @Schema(description = "The user to bind the role to; or give `group`")
          String user,
      @Size(max = NodeLabel.MAX_PATH_LENGTH)
          @Pattern(regexp = NodeLabel.PATH_PATTERN, message = NodeLabel.PATH_RULE)
          @Schema(description = "The path of the group to bind the role to; or give `user`")
          String group,
      @NotNull
          @Pattern(
              regexp = "viewer|member|admin|owner",
              message = "must be viewer, member, admin or owner")
          @Schema(enumeration = {"viewer", "member", "admin", "owner"})
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
