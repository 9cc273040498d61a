package dev.rota.tenancy.internal.persistence;

import static dev.rota.tenancy.internal.persistence.TestTenancy.constraintOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.platform.Transactions;
import dev.rota.platform.Transactions.DatabaseFailure;
import dev.rota.platform.testing.TestDatabase;
import dev.rota.tenancy.NodeKind;
import dev.rota.tenancy.internal.domain.NodeLabel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random creates, moves, renames and subtree deletes against the real triggers, with an in-test
 * model of the tree; after every operation one query checks that each node's path is its parent's
 * path plus its label and that the database holds exactly the model's nodes. Refused operations
 * (kinds, cycles, sibling labels) must change nothing. The seed is fixed and printed; pass {@code
 * -Drota.tree.seed=...} to replay another one.
 */
class TreeInvariantsIT {

  private static final int OPERATIONS = 3000;
  private static final long DEFAULT_SEED = 20_261_125L;
  private static final String NO_CYCLE = "nodes_no_cycle";
  private static final String KIND_HIERARCHY = "nodes_kind_hierarchy";
  private static final String SIBLING_UNIQUE = "nodes_sibling_label_unique";
  private static final String OK = "ok";
  private static final List<String> WORDS =
      List.of("Alpha", "Beta", "ML.Vision", "Data Infra", "Café", "Nord", "core", "EDGE", "Team");

  /**
   * Every node of the test's tree (by path, or by id in case a path went astray) with whether its
   * path equals its parent's path || its label, or its label alone for a root.
   */
  private static final String CHECK =
      """
      SELECT n.id, n.parent_id, n.kind::text, n.label, n.path::text,
             n.path = CASE WHEN n.parent_id IS NULL THEN text2ltree(n.label)
                           ELSE p.path || text2ltree(n.label) END AS consistent
        FROM tenancy.nodes n LEFT JOIN tenancy.nodes p ON p.id = n.parent_id
       WHERE n.path <@ ?::ltree                                        -- 1 the root's path
          OR n.id = ANY (?)                                            -- 2 the model's node ids
      """;

  private final TestTenancy tenancy = new TestTenancy();
  private Transactions transactions;
  private Connection connection;
  private final NodeRepository nodes = new NodeRepository();
  private final Map<Long, ModelNode> model = new HashMap<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private Connection checker;
  private Random random;
  private long rootId;

  /** One node as the test believes it to be. */
  private static final class ModelNode {
    final long id;
    final NodeKind kind;
    Long parent;
    String label;

    ModelNode(long id, NodeKind kind, Long parent, String label) {
      this.id = id;
      this.kind = kind;
      this.parent = parent;
      this.label = label;
    }
  }

  @BeforeEach
  void seed_a_root_and_a_checking_connection() throws SQLException {
    NodeRow root = tenancy.root(0);
    rootId = root.id();
    model.put(root.id(), new ModelNode(root.id(), NodeKind.GROUP, null, root.label()));
    checker = tenancy.dataSource().getConnection();
    connection = tenancy.dataSource().getConnection();
    transactions = TestDatabase.onOneConnection(connection);
  }

  @AfterEach
  void clean_up() throws SQLException {
    checker.close();
    connection.close();
    tenancy.close();
  }

  @Test
  void paths_always_follow_the_parent_chain_under_random_creates_moves_renames_and_deletes()
      throws SQLException {
    long seed = Long.getLong("rota.tree.seed", DEFAULT_SEED);
    System.out.println(
        "TreeInvariantsIT seed: " + seed + " (replay with -Drota.tree.seed=" + seed + ")");
    random = new Random(seed);
    int largest = 0;

    for (int i = 1; i <= OPERATIONS; i++) {
      String description;
      int roll = random.nextInt(100);
      int size = model.size();
      if (size < 15 || (size < 150 && roll < 40)) {
        description = create();
      } else if (roll < 70) {
        description = move();
      } else if (roll < 92 || size < 40) {
        description = rename();
      } else {
        description = deleteSubtree();
      }
      checkInvariants("operation " + i + " of seed " + seed + ": " + description);
      largest = Math.max(largest, model.size());
    }

    System.out.println("TreeInvariantsIT outcomes: " + outcomes + ", largest tree " + largest);
    assertThat(outcomes)
        .containsKeys(
            "create " + OK,
            "create " + KIND_HIERARCHY,
            "create " + SIBLING_UNIQUE,
            "move " + OK,
            "move " + NO_CYCLE,
            "move " + KIND_HIERARCHY,
            "move " + SIBLING_UNIQUE,
            "rename " + OK,
            "rename " + SIBLING_UNIQUE,
            "delete " + OK);
    assertThat(outcomes.get("move " + NO_CYCLE)).isGreaterThan(50);
    assertThat(outcomes.get("move ok with descendants")).isGreaterThan(50);
  }

  private String create() {
    ModelNode parent = any(false);
    NodeKind kind =
        random.nextInt(5) == 0
            ? pickKind(invalidKindsUnder(parent.kind))
            : pickKind(validKindsUnder(parent.kind));
    List<ModelNode> siblings = children(parent.id);
    String name =
        !siblings.isEmpty() && random.nextInt(8) == 0
            ? pick(siblings).label // a deliberate clash with a sibling's label
            : randomName();
    String label = NodeLabel.fromName(name).value();
    // The kind is checked before the sibling label, so a wrong kind is what a clash reports.
    String expected =
        !validKindsUnder(parent.kind).contains(kind)
            ? KIND_HIERARCHY
            : siblings.stream().anyMatch(s -> s.label.equals(label)) ? SIBLING_UNIQUE : OK;
    String description = "create " + kind + " '" + name + "' under " + parent.id;
    Object result =
        attempt(
            "create",
            expected,
            description,
            c -> nodes.insert(c, kind, parent.id, name, label, 0, null));
    if (result instanceof NodeRow created) {
      assertThat(created.parentId()).isEqualTo(parent.id);
      model.put(created.id(), new ModelNode(created.id(), kind, parent.id, label));
    }
    return description;
  }

  private String move() {
    ModelNode node = any(true);
    ModelNode target;
    List<ModelNode> ownSubtree = subtree(node);
    int roll = random.nextInt(10);
    if (roll < 3) {
      target = pick(ownSubtree); // itself or a descendant: must be refused
    } else if (roll < 8) {
      List<ModelNode> fitting =
          model.values().stream().filter(m -> validKindsUnder(m.kind).contains(node.kind)).toList();
      target = fitting.isEmpty() ? any(false) : pick(fitting);
    } else {
      target = any(false);
    }
    String expected;
    if (ownSubtree.contains(target)) {
      expected = NO_CYCLE;
    } else if (!validKindsUnder(target.kind).contains(node.kind)) {
      expected = KIND_HIERARCHY;
    } else if (target.id != node.parent
        && children(target.id).stream().anyMatch(s -> s.label.equals(node.label))) {
      expected = SIBLING_UNIQUE;
    } else {
      expected = OK;
    }
    String description = "move " + node.kind + " " + node.id + " under " + target.id;
    Object result = attempt("move", expected, description, c -> nodes.move(c, node.id, target.id));
    if (result != null) {
      node.parent = target.id;
      if (ownSubtree.size() > 1) {
        outcomes.merge("move ok with descendants", 1, Integer::sum);
      }
    }
    return description;
  }

  private String rename() {
    ModelNode node = any(true);
    List<ModelNode> siblings = children(node.parent);
    siblings.remove(node);
    String name =
        !siblings.isEmpty() && random.nextInt(5) == 0 ? pick(siblings).label : randomName();
    String label = NodeLabel.fromName(name).value();
    String expected = siblings.stream().anyMatch(s -> s.label.equals(label)) ? SIBLING_UNIQUE : OK;
    String description = "rename " + node.id + " to '" + name + "'";
    Object result =
        attempt("rename", expected, description, c -> nodes.rename(c, node.id, name, label));
    if (result != null) {
      node.label = label;
    }
    return description;
  }

  private String deleteSubtree() {
    ModelNode node = any(true);
    List<ModelNode> doomed = subtree(node);
    String description = "delete the " + doomed.size() + " nodes of " + node.id;
    Object result = attempt("delete", OK, description, c -> nodes.deleteSubtree(c, node.id));
    @SuppressWarnings("unchecked")
    List<Long> withNamespaces = (List<Long>) result;
    assertThat(withNamespaces)
        .as(description + ": the deleted nodes with namespaces")
        .containsExactlyInAnyOrderElementsOf(
            doomed.stream().filter(m -> m.kind.hasNamespace()).map(m -> m.id).toList());
    doomed.forEach(m -> model.remove(m.id));
    return description;
  }

  /**
   * Runs one operation in its own transaction and checks its outcome: the operation's result when
   * it should succeed, null after checking the constraint that refused it otherwise.
   */
  private Object attempt(
      String operation, String expected, String description, Transactions.Work<Object> work) {
    outcomes.merge(operation + " " + expected, 1, Integer::sum);
    if (expected.equals(OK)) {
      Object result = transactions.write("tree-invariants", work);
      if (result instanceof java.util.Optional<?> optional) {
        assertThat(optional).as(description).isPresent();
        return optional.get();
      }
      return result;
    }
    Throwable refusal = catchThrowable(() -> transactions.write("tree-invariants", work));
    assertThat(refusal).as(description + " should be refused").isInstanceOf(DatabaseFailure.class);
    assertThat(constraintOf(refusal)).as(description).isEqualTo(expected);
    return null;
  }

  private void checkInvariants(String after) throws SQLException {
    Map<Long, String> actualPaths = new HashMap<>();
    try (PreparedStatement query = checker.prepareStatement(CHECK)) {
      query.setString(1, model.get(rootId).label);
      query.setArray(2, checker.createArrayOf("bigint", model.keySet().toArray()));
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          long id = row.getLong(1);
          assertThat(row.getBoolean(6))
              .as(
                  "%s: path %s of node %d is its parent's path plus its label",
                  after, row.getString(5), id)
              .isTrue();
          ModelNode expected = model.get(id);
          assertThat(expected).as("%s: node %d exists in the model", after, id).isNotNull();
          assertThat(row.getObject(2, Long.class))
              .as("%s: parent of %d", after, id)
              .isEqualTo(expected.parent);
          assertThat(row.getString(4)).as("%s: label of %d", after, id).isEqualTo(expected.label);
          actualPaths.put(id, row.getString(5));
        }
      }
    }
    assertThat(actualPaths).as("%s: node count", after).hasSameSizeAs(model);
    for (ModelNode node : model.values()) {
      assertThat(actualPaths.get(node.id))
          .as("%s: path of %d", after, node.id)
          .isEqualTo(pathOf(node));
    }
  }

  private String pathOf(ModelNode node) {
    return node.parent == null ? node.label : pathOf(model.get(node.parent)) + "." + node.label;
  }

  private List<ModelNode> children(Long parentId) {
    List<ModelNode> children = new ArrayList<>();
    for (ModelNode m : model.values()) {
      if (parentId != null && parentId.equals(m.parent)) {
        children.add(m);
      }
    }
    return children;
  }

  /** The node and all its descendants in the model. */
  private List<ModelNode> subtree(ModelNode top) {
    List<ModelNode> all = new ArrayList<>(List.of(top));
    for (int i = 0; i < all.size(); i++) {
      all.addAll(children(all.get(i).id));
    }
    return all;
  }

  private ModelNode any(boolean exceptRoot) {
    return pick(model.values().stream().filter(m -> !exceptRoot || m.id != rootId).toList());
  }

  /** A random node of the list, the list taken in id order so that the seed alone decides. */
  private ModelNode pick(List<ModelNode> from) {
    List<ModelNode> ordered = from.stream().sorted((a, b) -> Long.compare(a.id, b.id)).toList();
    return ordered.get(random.nextInt(ordered.size()));
  }

  private NodeKind pickKind(List<NodeKind> from) {
    return from.get(random.nextInt(from.size()));
  }

  private String randomName() {
    String word = WORDS.get(random.nextInt(WORDS.size()));
    return random.nextBoolean() ? word : word + " " + random.nextInt(30);
  }

  private static List<NodeKind> validKindsUnder(NodeKind parent) {
    return switch (parent) {
      case GROUP -> List.of(NodeKind.GROUP, NodeKind.PROJECT);
      case PROJECT, SUBPROJECT -> List.of(NodeKind.SUBPROJECT);
    };
  }

  private static List<NodeKind> invalidKindsUnder(NodeKind parent) {
    return switch (parent) {
      case GROUP -> List.of(NodeKind.SUBPROJECT);
      case PROJECT, SUBPROJECT -> List.of(NodeKind.GROUP, NodeKind.PROJECT);
    };
  }
}
