package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.internal.persistence.AuditRepository;
import dev.rota.tenancy.internal.persistence.AuditRepository.AuditEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** The audit trail of a node and its subtree, for the node's administrators. */
@ApplicationScoped
public class AuditService {

  private final AuditRepository audit = new AuditRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;

  public List<AuditEvent> page(Caller caller, long nodeId, Long beforeId, int limit) {
    return transactions.read(
        c -> {
          authorization.require(c, caller, nodeId, Role.ADMIN, "read this node's audit trail");
          return audit.page(c, nodeId, beforeId, limit + 1);
        });
  }
}
