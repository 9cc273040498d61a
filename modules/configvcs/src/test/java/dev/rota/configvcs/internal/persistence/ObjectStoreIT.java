package dev.rota.configvcs.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rota.configvcs.internal.domain.Assembler;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.Chunker;
import dev.rota.configvcs.internal.domain.Chunker.Chunked;
import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.configvcs.internal.domain.Piece;
import dev.rota.configvcs.internal.domain.Snapshot;
import dev.rota.configvcs.internal.domain.TestDocuments;
import dev.rota.platform.Transactions;
import dev.rota.platform.testing.DatabaseRefusals;
import dev.rota.platform.testing.TestDatabase;
import jakarta.json.JsonValue;
import java.sql.PreparedStatement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The object store as PostgreSQL keeps it: exact, deduplicated, complete and immutable. */
class ObjectStoreIT {

  private final Transactions transactions = new Transactions(TestDatabase.get().dataSource());
  private final ObjectRepository objects = new ObjectRepository();
  private final Chunker chunker = new Chunker();

  @Test
  void identical_content_is_stored_once() {
    JsonValue document = JsonText.parse("{\"unique\": \"" + UUID.randomUUID() + "\", \"gpus\": 8}");
    Chunked chunked = chunker.split(document);

    int first = transactions.write("test", c -> objects.insertMissing(c, chunked.pieces()));
    int second =
        transactions.write(
            "test",
            c ->
                objects.insertMissing(
                    c,
                    chunker
                        .split(JsonText.parse(CanonicalJson.write(document).replace(",", " , ")))
                        .pieces()));

    assertThat(first).isEqualTo(1);
    assertThat(second).isZero();
    java.util.Set<ContentHash> stored =
        transactions.read(c -> objects.stored(c, List.of(chunked.root())));
    assertThat(stored).containsExactly(chunked.root());
  }

  @Test
  void a_megabyte_and_awkward_json_come_back_byte_identical_through_jsonb() {
    for (JsonValue document :
        List.of(TestDocuments.large(2200), TestDocuments.awkward(300), unique())) {
      Chunked chunked = chunker.split(document);
      transactions.write("test", c -> objects.insertMissing(c, chunked.pieces()));

      Map<ContentHash, Piece> loaded = transactions.read(c -> tree(c, chunked.root()));

      assertThat(loaded)
          .hasSameSizeAs(chunked.pieces().stream().map(Piece::hash).distinct().toList());
      String back = new Assembler(loaded).document(chunked.root());
      assertThat(back).isEqualTo(CanonicalJson.write(document));
      assertThat(ContentHash.of(back)).isEqualTo(chunked.root());
    }
  }

  @Test
  void a_piece_cannot_link_to_a_piece_that_is_not_stored() {
    ContentHash missing = ContentHash.of("missing " + UUID.randomUUID());
    Piece orphan =
        new Piece(
            ContentHash.of("orphan " + UUID.randomUUID()),
            Piece.VALUE,
            "[{\"#\":0}]",
            List.of(missing));

    Throwable refused =
        catchThrowable(
            () -> transactions.write("test", c -> objects.insertMissing(c, List.of(orphan))));

    assertThat(constraintOf(refused)).isEqualTo("objects_links_fk");
  }

  @Test
  void a_snapshot_cannot_name_a_document_that_is_not_stored() {
    Snapshot snapshot =
        Snapshot.of(
            Map.of(ConfigPath.of("quotas"), ContentHash.of("nothing " + UUID.randomUUID())));

    Throwable refused =
        catchThrowable(
            () ->
                transactions.write(
                    "test",
                    c -> {
                      new SnapshotRepository().insert(c, snapshot);
                      return null;
                    }));

    assertThat(constraintOf(refused)).isEqualTo("snapshots_entries_fk");
  }

  @Test
  void objects_snapshots_and_commits_can_never_be_updated_or_deleted() {
    Chunked chunked = chunker.split(unique());
    transactions.write("test", c -> objects.insertMissing(c, chunked.pieces()));

    for (String sql :
        List.of(
            "UPDATE configvcs.objects SET body = '{}' WHERE hash = ?",
            "DELETE FROM configvcs.objects WHERE hash = ?",
            "UPDATE configvcs.snapshots SET entries = '{}' WHERE hash = ?",
            "DELETE FROM configvcs.snapshots WHERE hash = ?",
            "UPDATE configvcs.commits SET message = 'rewritten' WHERE hash = ?",
            "DELETE FROM configvcs.commits WHERE hash = ?")) {
      Throwable refused =
          catchThrowable(
              () ->
                  transactions.write(
                      "test",
                      c -> {
                        try (PreparedStatement change = c.prepareStatement(sql)) {
                          change.setBytes(1, chunked.root().bytes());
                          return change.executeUpdate();
                        }
                      }));
      assertThat(constraintOf(refused)).as(sql).endsWith("_immutable");
    }
  }

  /** Every piece of a document, fetched a level at a time as the application reads them. */
  private Map<ContentHash, Piece> tree(java.sql.Connection c, ContentHash root)
      throws java.sql.SQLException {
    Map<ContentHash, Piece> all = new java.util.HashMap<>();
    java.util.Set<ContentHash> wanted = java.util.Set.of(root);
    while (!wanted.isEmpty()) {
      Map<ContentHash, Piece> fetched = objects.fetch(c, wanted);
      all.putAll(fetched);
      wanted = new HashSet<>();
      for (Piece piece : fetched.values()) {
        for (ContentHash link : piece.links()) {
          if (!all.containsKey(link)) {
            wanted.add(link);
          }
        }
      }
    }
    return all;
  }

  private static JsonValue unique() {
    return JsonText.parse(
        "{\"id\": \"" + UUID.randomUUID() + "\", \"pad\": \"" + "x".repeat(3000) + "\"}");
  }

  static String constraintOf(Throwable failure) {
    return DatabaseRefusals.constraintOf(failure);
  }
}
