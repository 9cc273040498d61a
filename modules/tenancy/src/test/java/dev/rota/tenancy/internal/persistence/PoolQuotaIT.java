package dev.rota.tenancy.internal.persistence;

import static dev.rota.tenancy.internal.persistence.TestTenancy.constraintOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Transactions;
import dev.rota.platform.testing.Race;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.PoolQuotas.Level;
import dev.rota.tenancy.internal.persistence.PoolQuotaRepository.PoolQuotaRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GPU quota per pool against the real database: pool rows stay within the node's totals, children
 * stay within what the parent gives in a pool (its row, else its total) through every kind of
 * change, also when edits race.
 */
class PoolQuotaIT {

  private final TestTenancy tenancy = new TestTenancy();
  private final Transactions transactions = tenancy.transactions();
  private final PoolQuotaRepository quotas = new PoolQuotaRepository();
  private final NodeRepository nodes = new NodeRepository();

  @AfterEach
  void clean_up() {
    tenancy.close();
  }

  @Test
  void pool_guarantees_of_a_node_never_sum_above_its_total() {
    NodeRow group = tenancy.root(10);
    put(group, "pool-a", 6, null);

    Throwable refusal = catchThrowable(() -> put(group, "pool-b", 5, null));

    assertThat(constraintOf(refusal)).isEqualTo("pool_quotas_within_total");
    assertThat(list(group)).containsExactly(new PoolQuotaRow("pool-a", 6, null));
  }

  @Test
  void children_never_guarantee_more_in_a_pool_than_the_parents_pool_row() {
    NodeRow group = tenancy.root(10);
    put(group, "pool-a", 4, null);
    NodeRow first = tenancy.child(group, NodeKind.PROJECT, "first", 5, null);
    NodeRow second = tenancy.child(group, NodeKind.PROJECT, "second", 5, null);
    put(first, "pool-a", 3, null);

    Throwable refusal = catchThrowable(() -> put(second, "pool-a", 2, null));

    assertThat(constraintOf(refusal)).isEqualTo("pool_quotas_within_parent");
    assertThat(list(second)).isEmpty();
    put(second, "pool-a", 1, null); // exactly what is left
    assertThat(list(second)).containsExactly(new PoolQuotaRow("pool-a", 1, null));
  }

  @Test
  void without_a_pool_row_the_parents_total_bounds_its_childrens_pool_rows() {
    NodeRow group = tenancy.root(6);
    NodeRow first = tenancy.child(group, NodeKind.PROJECT, "first", 3, null);
    NodeRow second = tenancy.child(group, NodeKind.PROJECT, "second", 3, null);

    put(first, "pool-a", 3, null);
    put(second, "pool-a", 3, null);

    assertThat(list(first)).containsExactly(new PoolQuotaRow("pool-a", 3, null));
    assertThat(list(second)).containsExactly(new PoolQuotaRow("pool-a", 3, null));
  }

  @Test
  void a_parents_pool_row_cannot_drop_below_what_its_children_take_there() {
    NodeRow group = tenancy.root(10);
    put(group, "pool-a", 5, null);
    NodeRow project = tenancy.child(group, NodeKind.PROJECT, "project", 5, null);
    put(project, "pool-a", 4, null);

    Throwable refusal = catchThrowable(() -> put(group, "pool-a", 3, null));

    assertThat(constraintOf(refusal)).isEqualTo("pool_quotas_within_parent");
    assertThat(list(group)).containsExactly(new PoolQuotaRow("pool-a", 5, null));
  }

  @Test
  void removing_a_pool_row_falls_back_to_the_total_which_still_bounds_the_children() {
    NodeRow group = tenancy.root(10);
    put(group, "pool-a", 5, null);
    NodeRow project = tenancy.child(group, NodeKind.PROJECT, "project", 5, null);
    put(project, "pool-a", 4, null);

    transactions.write(TestTenancy.ACTOR, c -> quotas.delete(c, group.id(), "pool-a"));

    assertThat(list(group)).isEmpty();
    assertThat(chain(project, "pool-a").get(1).guaranteedInPool()).isEqualTo(10);
  }

  @Test
  void a_total_cannot_drop_below_the_nodes_own_pool_rows_nor_its_limit_below_a_pool_limit() {
    NodeRow group = tenancy.root(10);
    NodeRow project = tenancy.child(group, NodeKind.PROJECT, "project", 8, 8);
    put(project, "pool-a", 6, 7);

    Throwable lowerTotal =
        catchThrowable(
            () ->
                transactions.write(TestTenancy.ACTOR, c -> nodes.setQuota(c, project.id(), 5, 8)));
    Throwable lowerLimit =
        catchThrowable(
            () ->
                transactions.write(TestTenancy.ACTOR, c -> nodes.setQuota(c, project.id(), 6, 6)));
    Throwable poolLimitAboveTotal = catchThrowable(() -> put(project, "pool-b", 1, 9));

    assertThat(constraintOf(lowerTotal)).isEqualTo("pool_quotas_within_total");
    assertThat(constraintOf(lowerLimit)).isEqualTo("pool_quotas_limit_within_total");
    assertThat(constraintOf(poolLimitAboveTotal)).isEqualTo("pool_quotas_limit_within_total");
    assertThat(tenancy.reload(project).guaranteedGpus()).isEqualTo(8);
    assertThat(tenancy.reload(project).gpuLimit()).isEqualTo(8);
  }

  @Test
  void a_pool_limit_below_the_pool_guarantee_is_refused() {
    NodeRow group = tenancy.root(10);

    Throwable refusal = catchThrowable(() -> put(group, "pool-a", 4, 3));

    assertThat(constraintOf(refusal)).isEqualTo("pool_quotas_limit_covers_guarantee");
  }

  @Test
  void moving_a_node_under_a_parent_whose_pool_row_it_exceeds_is_refused() {
    NodeRow root = tenancy.root(20);
    NodeRow rich = tenancy.child(root, NodeKind.GROUP, "rich", 10, null);
    NodeRow poor = tenancy.child(root, NodeKind.GROUP, "poor", 10, null);
    put(poor, "pool-a", 2, null);
    NodeRow project = tenancy.child(rich, NodeKind.PROJECT, "project", 3, null);
    put(project, "pool-a", 3, null);

    Throwable refusal =
        catchThrowable(
            () ->
                transactions.write(TestTenancy.ACTOR, c -> nodes.move(c, project.id(), poor.id())));

    assertThat(constraintOf(refusal)).isEqualTo("pool_quotas_within_parent");
    assertThat(tenancy.reload(project).parentId()).isEqualTo(rich.id());
  }

  @Test
  void the_chain_lists_the_node_then_each_ancestor_with_its_pool_row_and_totals() {
    NodeRow group = tenancy.root(12);
    put(group, "pool-a", 8, 10);
    NodeRow project = tenancy.child(group, NodeKind.PROJECT, "project", 6, 9);
    NodeRow sub = tenancy.child(project, NodeKind.SUBPROJECT, "sub", 2, null);
    put(sub, "pool-a", 1, 2);

    List<Level> chain = chain(sub, "pool-a");

    assertThat(chain)
        .containsExactly(
            new Level(sub.id(), 0, 1, 2, 2, null),
            new Level(project.id(), 1, null, null, 6, 9),
            new Level(group.id(), 2, 8, 10, 12, null));
    assertThat(chain.get(1).guaranteedInPool()).isEqualTo(6);
    assertThat(chain(sub, "pool-b").get(0).poolGuaranteedGpus()).isNull();
  }

  @Test
  void racing_pool_rows_never_guarantee_more_than_the_parent_gives_in_the_pool() {
    NodeRow group = tenancy.root(40);
    put(group, "pool-a", 10, null);
    int racers = 20;
    List<NodeRow> children = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      children.add(tenancy.child(group, NodeKind.PROJECT, "racer " + i, 2, null));
    }

    Race.Outcome outcome =
        Race.inOpenTransactions(
            transactions,
            racers,
            (racer, c) -> quotas.put(c, children.get(racer).id(), "pool-a", 1, null));

    assertThat(outcome.winners()).isEqualTo(10);
    assertThat(outcome.refusedBy()).hasSize(10).containsOnly("pool_quotas_within_parent");
    int granted = children.stream().mapToInt(child -> list(child).size()).sum();
    assertThat(granted).isEqualTo(10);
  }

  private void put(NodeRow node, String pool, int guaranteed, Integer limit) {
    transactions.write(TestTenancy.ACTOR, c -> quotas.put(c, node.id(), pool, guaranteed, limit));
  }

  private List<PoolQuotaRow> list(NodeRow node) {
    return transactions.read(c -> quotas.list(c, node.id()));
  }

  private List<Level> chain(NodeRow node, String pool) {
    return transactions.read(c -> quotas.chain(c, node.id(), pool));
  }
}
