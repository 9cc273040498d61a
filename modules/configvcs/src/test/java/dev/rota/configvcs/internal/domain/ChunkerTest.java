package dev.rota.configvcs.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rota.configvcs.internal.domain.Chunker.Chunked;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Merkle split: exact reassembly, content addressing, and sharing between versions. */
class ChunkerTest {

  private final Chunker chunker = new Chunker();

  @Test
  void a_small_document_is_one_piece_keyed_by_the_sha256_of_its_canonical_json() {
    JsonValue document = JsonText.parse("{\"b\": [1, 2.50], \"a\": {\"x\": \"y\"}}");

    Chunked chunked = chunker.split(document);

    assertThat(chunked.pieces()).hasSize(1);
    assertThat(chunked.root().hex())
        .isEqualTo(ContentHash.of("{\"a\":{\"x\":\"y\"},\"b\":[1,2.5]}").hex());
    assertThat(chunked.pieces().get(0).links()).isEmpty();
  }

  @Test
  void a_megabyte_reassembles_byte_identically_and_every_piece_is_keyed_by_its_content() {
    JsonObject document = TestDocuments.large(2200);
    String canonical = CanonicalJson.write(document);

    Chunked chunked = chunker.split(document);
    Assembler assembler = new Assembler(byHash(chunked.pieces()));

    assertThat(canonical.length()).isGreaterThan(1_000_000);
    assertThat(assembler.document(chunked.root())).isEqualTo(canonical);
    assertThat(chunked.root()).isEqualTo(ContentHash.of(canonical));
    for (Piece piece : chunked.pieces()) {
      assertThat(ContentHash.of(assembler.canonical(piece.hash()))).isEqualTo(piece.hash());
      assertThat(piece.body().length()).as("piece size").isLessThan(4096);
    }
  }

  @Test
  void changing_one_leaf_of_a_megabyte_stores_only_a_few_small_pieces() {
    JsonObject document = TestDocuments.large(2200);
    JsonValue changed =
        JsonText.PROVIDER
            .createPatch(
                JsonText.PROVIDER
                    .createArrayBuilder()
                    .add(
                        JsonText.PROVIDER
                            .createObjectBuilder()
                            .add("op", "replace")
                            .add("path", "/teams/team-1234/quota/gpus")
                            .add("value", 63))
                    .build())
            .apply(document);

    List<Piece> fresh = newPieces(chunker.split(document), chunker.split(changed));

    int bytes = fresh.stream().mapToInt(p -> p.body().length() + 32 * p.links().size()).sum();
    assertThat(fresh).hasSizeLessThanOrEqualTo(8);
    assertThat(bytes).isLessThan(3000);
  }

  @Test
  void inserting_into_a_long_array_keeps_sharing_most_pieces() {
    JsonObject document = TestDocuments.large(2200);
    JsonValue inserted =
        JsonText.PROVIDER
            .createPatch(
                JsonText.PROVIDER
                    .createArrayBuilder()
                    .add(
                        JsonText.PROVIDER
                            .createObjectBuilder()
                            .add("op", "add")
                            .add("path", "/images/7")
                            .add("value", JsonText.parse("{\"name\":\"new\",\"tags\":[]}")))
                    .build())
            .apply(document);

    Chunked before = chunker.split(document);
    List<Piece> fresh = newPieces(before, chunker.split(inserted));

    assertThat(fresh.size()).isLessThan(before.pieces().size() / 20);
  }

  @Test
  void identical_subtrees_are_one_piece_and_splitting_is_deterministic() {
    JsonObject team = TestDocuments.large(4).getJsonObject("teams");
    JsonObject twice =
        JsonText.PROVIDER.createObjectBuilder().add("a", team).add("b", team).build();

    Chunked chunked = chunker.split(twice);

    assertThat(chunked.pieces().stream().map(Piece::hash).distinct())
        .hasSameSizeAs(chunked.pieces());
    assertThat(chunker.split(twice).pieces()).isEqualTo(chunked.pieces());
    assertThat(
            chunked.pieces().stream()
                .filter(p -> p.hash().equals(ContentHash.of(CanonicalJson.write(team)))))
        .hasSize(1);
  }

  @Test
  void awkward_json_round_trips_whatever_the_piece_sizes() {
    JsonValue awkward = TestDocuments.awkward(300);
    for (Chunker.Limits limits : List.of(Chunker.DEFAULT, new Chunker.Limits(16, 32, 64, 2, 3))) {
      Chunked chunked = new Chunker(limits).split(awkward);

      String back = new Assembler(byHash(chunked.pieces())).document(chunked.root());

      assertThat(back).isEqualTo(CanonicalJson.write(awkward));
    }
  }

  @Test
  void strings_that_look_like_markers_are_escaped_in_pieces() {
    Chunked chunked =
        new Chunker(new Chunker.Limits(8, 16, 32, 2, 3)).split(TestDocuments.awkward(2));

    Set<String> bodies = chunked.pieces().stream().map(Piece::body).collect(Collectors.toSet());

    assertThat(String.join("", bodies))
        .contains("\"##a value like a marker\"", "\"##0\"", "\"###1\"");
  }

  static Map<ContentHash, Piece> byHash(List<Piece> pieces) {
    Map<ContentHash, Piece> map = new HashMap<>();
    pieces.forEach(p -> map.put(p.hash(), p));
    return map;
  }

  private static List<Piece> newPieces(Chunked before, Chunked after) {
    Set<ContentHash> old = before.pieces().stream().map(Piece::hash).collect(Collectors.toSet());
    return after.pieces().stream().filter(p -> !old.contains(p.hash())).toList();
  }
}
