package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.internal.domain.Commit;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.persistence.CommitRepository;
import dev.rota.configvcs.internal.persistence.RefRepository;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.configvcs.internal.persistence.SnapshotRepository;
import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.platform.Transactions.Work;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/**
 * Every use of a node's configuration starts here: in one transaction, the caller's tenancy role at
 * the node is checked (404 without one, 403 when too low), and the node's repository is created on
 * first use, with an empty root commit on a {@code main} branch.
 */
@ApplicationScoped
public class ConfigAccess {

  /** Who commits what the system does on its own, such as creating a repository. */
  static final String SYSTEM_AUTHOR = "rota";

  private final RefRepository refs = new RefRepository();
  private final SnapshotRepository snapshots = new SnapshotRepository();
  private final CommitRepository commits = new CommitRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject PieceCache pieces;
  Clock clock = Clock.systemUTC();

  public ConfigAccess() {}

  /** For tests and benchmarks, outside CDI. */
  public ConfigAccess(
      Transactions transactions, Authorization authorization, PieceCache pieces, Clock clock) {
    this.transactions = transactions;
    this.authorization = authorization;
    this.pieces = pieces;
    this.clock = clock;
  }

  /** Runs {@code work} read-only once the caller holds {@code role} at the node. */
  public <T> T read(Caller caller, long nodeId, Role role, String what, Work<T> work) {
    try {
      return transactions.read(
          c -> {
            authorization.require(c, caller, nodeId, role, what);
            if (!refs.repositoryExists(c, nodeId)) {
              throw new RepositoryMissing();
            }
            return work.run(c);
          });
    } catch (RepositoryMissing missing) {
      write(caller, nodeId, role, what, c -> null);
      return transactions.read(
          c -> {
            authorization.require(c, caller, nodeId, role, what);
            return work.run(c);
          });
    }
  }

  /** Runs {@code work} in a write transaction once the caller holds {@code role} at the node. */
  public <T> T write(Caller caller, long nodeId, Role role, String what, Work<T> work) {
    return transactions.write(
        caller.name(),
        c -> {
          authorization.require(c, caller, nodeId, role, what);
          ensureRepository(c, nodeId);
          return work.run(c);
        });
  }

  public Clock clock() {
    return clock;
  }

  /** The texts of pieces read lately, which reads need not fetch again. */
  public PieceCache pieces() {
    return pieces;
  }

  private void ensureRepository(Connection c, long nodeId) throws SQLException {
    if (!refs.createRepository(c, nodeId)) {
      return;
    }
    snapshots.insert(c, Snapshot.EMPTY);
    Commit root =
        Commit.create(
            nodeId,
            Snapshot.EMPTY.hash(),
            List.of(),
            SYSTEM_AUTHOR,
            null,
            "Create the configuration repository",
            clock.instant());
    commits.insert(c, root);
    refs.insert(c, nodeId, RefName.MAIN.value(), RefRow.Kind.BRANCH, root.hash());
  }

  /** The node has no repository yet: it is created in a write transaction, then read again. */
  private static final class RepositoryMissing extends RuntimeException {
    RepositoryMissing() {
      super(null, null, false, false);
    }
  }
}
