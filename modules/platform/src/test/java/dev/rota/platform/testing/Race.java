package dev.rota.platform.testing;

import dev.rota.platform.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs competing writes on real threads, each in its own transaction that is already open (its
 * snapshot taken) when all of them are released together by a barrier; so none can see another's
 * row unless the database makes it wait. Without the barrier inside the transaction the threads
 * would mostly run one after another, and a race test would prove nothing.
 */
public final class Race {

  /** One competitor's write, run inside its open transaction after the release. */
  @FunctionalInterface
  public interface Move {
    void run(int competitor, Connection connection) throws SQLException;
  }

  /** How many won, and the constraint that refused each loser. */
  public record Outcome(int winners, List<String> refusedBy) {}

  private Race() {}

  public static Outcome inOpenTransactions(Transactions transactions, int competitors, Move move) {
    CyclicBarrier release = new CyclicBarrier(competitors);
    ExecutorService threads = Executors.newFixedThreadPool(competitors);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < competitors; i++) {
        int competitor = i;
        results.add(
            threads.submit(
                () -> {
                  try {
                    transactions.write(
                        "race",
                        c -> {
                          try (Statement open = c.createStatement()) {
                            open.execute("SELECT txid_current()"); // the transaction is open
                          }
                          await(release);
                          move.run(competitor, c);
                          return null;
                        });
                    return null;
                  } catch (Transactions.DatabaseFailure e) {
                    return DatabaseRefusals.constraintOf(e);
                  }
                }));
      }
      int winners = 0;
      List<String> refusedBy = new ArrayList<>();
      for (Future<String> result : results) {
        String refusal = result.get(60, TimeUnit.SECONDS);
        if (refusal == null) {
          winners++;
        } else {
          refusedBy.add(refusal);
        }
      }
      return new Outcome(winners, refusedBy);
    } catch (Exception e) {
      throw new IllegalStateException("The race did not finish", e);
    } finally {
      threads.shutdownNow();
    }
  }

  private static void await(CyclicBarrier release) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("The competitors were not released together", e);
    }
  }
}
