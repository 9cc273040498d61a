package dev.rota.tenancy.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.PoolQuotas;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import dev.rota.tenancy.TenancyException.PoolQuotaNotFound;
import dev.rota.tenancy.internal.persistence.NodeRepository;
import dev.rota.tenancy.internal.persistence.NodeRow;
import dev.rota.tenancy.internal.persistence.PoolQuotaRepository;
import dev.rota.tenancy.internal.persistence.PoolQuotaRepository.PoolQuotaRow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A node's GPU quota per pool: read by whoever sees the node, set by the administrators of its
 * parent (as its totals are); the database keeps the sums right.
 */
@ApplicationScoped
public class PoolQuotaService implements PoolQuotas {

  private final NodeRepository nodes = new NodeRepository();
  private final PoolQuotaRepository quotas = new PoolQuotaRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;

  public List<PoolQuotaRow> list(Caller caller, long nodeId) {
    return transactions.read(
        c -> {
          visible(c, caller, nodeId);
          return quotas.list(c, nodeId);
        });
  }

  public PoolQuotaRow put(Caller caller, long nodeId, String pool, int guaranteed, Integer limit) {
    return transactions.write(
        caller.name(),
        c -> {
          NodeRow node = visible(c, caller, nodeId);
          ParentAdministrators.require(
              authorization, c, caller, node, "set this node's GPU quota in a pool");
          return quotas.put(c, nodeId, pool, guaranteed, limit);
        });
  }

  public void delete(Caller caller, long nodeId, String pool) {
    transactions.write(
        caller.name(),
        c -> {
          NodeRow node = visible(c, caller, nodeId);
          ParentAdministrators.require(
              authorization, c, caller, node, "remove this node's GPU quota in a pool");
          if (!quotas.delete(c, nodeId, pool)) {
            throw new PoolQuotaNotFound(pool);
          }
          return null;
        });
  }

  @Override
  public List<Level> chain(Connection connection, long nodeId, String pool) {
    try {
      return quotas.chain(connection, nodeId, pool);
    } catch (SQLException e) {
      throw new DatabaseFailure(e);
    }
  }

  private NodeRow visible(Connection c, Caller caller, long id) throws SQLException {
    authorization.require(c, caller, id, Role.VIEWER, "see this node");
    return nodes.find(c, id).orElseThrow(() -> new NodeNotFound(String.valueOf(id)));
  }
}
