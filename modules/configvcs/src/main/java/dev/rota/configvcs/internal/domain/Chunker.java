package dev.rota.configvcs.internal.domain;

import static dev.rota.configvcs.internal.domain.ChunkText.hash;
import static dev.rota.configvcs.internal.domain.ChunkText.quote;
import static dev.rota.configvcs.internal.domain.ChunkText.text;

import dev.rota.configvcs.internal.domain.ChunkText.Encoded;
import dev.rota.configvcs.internal.domain.ChunkText.Entry;
import dev.rota.configvcs.internal.domain.ChunkText.Shape;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a JSON document into content-addressed {@link Piece}s: a Merkle tree over the JSON, so
 * that versions of a document share every unchanged subtree, as git shares unchanged trees and Dolt
 * unchanged chunks. The split depends on the value alone, so equal values always yield equal
 * pieces.
 *
 * <p>An object or array whose canonical JSON is at most {@code inlineMax} bytes stays inside its
 * parent's piece; a larger one becomes a piece of its own, referred to by hash. One whose members
 * (with big children counted as links) would make a piece over {@code partMax} bytes is cut into
 * runs of consecutive members, each a piece, gathered under index pieces. Runs end where a member's
 * content says so (a hash of an object member's name, or of an array element) once they hold {@code
 * partMin} bytes, so an edit moves no boundary but its own and versions keep sharing the other
 * runs, as content-defined chunking in Dolt's prolly trees does.
 */
public final class Chunker {

  /** Sizes in bytes of canonical JSON, and numbers of parts per index piece. */
  public record Limits(int inlineMax, int partMin, int partMax, int indexMin, int indexMax) {}

  public static final Limits DEFAULT = new Limits(256, 512, 1536, 4, 32);

  /** What a link costs in a piece: its marker in the body and its 32 bytes of hash. */
  static final int LINK_COST = 38;

  /** A document as pieces, children before the pieces that refer to them. */
  public record Chunked(ContentHash root, List<Piece> pieces) {}

  private final Limits limits;

  public Chunker() {
    this(DEFAULT);
  }

  public Chunker(Limits limits) {
    this.limits = limits;
  }

  public Chunked split(JsonValue document) {
    Split split = new Split();
    Encoded top = split.encode(document);
    ContentHash root =
        top.link() != null
            ? top.link()
            : split.put(
                new Piece(ContentHash.of(top.canonical()), Piece.VALUE, top.inline(), List.of()));
    return new Chunked(root, List.copyOf(split.pieces.values()));
  }

  /**
   * Entries {@code from} (inclusive) to {@code to} (exclusive) of a container, stored as {@code
   * hash}.
   */
  private record Part(ContentHash hash, int from, int to) {}

  /** The state of one split: the pieces made so far. */
  private final class Split {
    final Map<ContentHash, Piece> pieces = new LinkedHashMap<>();

    Encoded encode(JsonValue value) {
      switch (value.getValueType()) {
        case OBJECT -> {
          JsonObject object = (JsonObject) value;
          List<Entry> entries = new ArrayList<>(object.size());
          for (String key : CanonicalJson.sortedKeys(object)) {
            entries.add(new Entry(quote(key), encode(object.get(key))));
          }
          return container(Shape.OBJECT, entries);
        }
        case ARRAY -> {
          List<Entry> entries = new ArrayList<>();
          for (JsonValue element : (JsonArray) value) {
            entries.add(new Entry(null, encode(element)));
          }
          return container(Shape.ARRAY, entries);
        }
        default -> {
          String text = CanonicalJson.write(value);
          boolean escape =
              value instanceof JsonString string
                  && !string.getString().isEmpty()
                  && string.getString().charAt(0) == Piece.MARKER;
          return new Encoded(
              text, escape ? quote(Piece.escape(((JsonString) value).getString())) : text, null);
        }
      }
    }

    Encoded container(Shape shape, List<Entry> entries) {
      String canonical = text(shape, entries, 0, entries.size(), false);
      if (canonical.length() <= limits.inlineMax()) {
        boolean escaped =
            entries.stream().anyMatch(e -> e.value().inline() != e.value().canonical());
        String inline = escaped ? text(shape, entries, 0, entries.size(), true) : canonical;
        return new Encoded(canonical, inline, null);
      }
      return new Encoded(canonical, null, store(shape, entries, canonical));
    }

    ContentHash store(Shape shape, List<Entry> entries, String canonical) {
      List<Part> runs = runs(entries);
      if (runs.size() == 1) {
        return putValue(shape, entries, 0, entries.size(), ContentHash.of(canonical));
      }
      List<Part> level = new ArrayList<>();
      for (Part run : runs) {
        ContentHash hash =
            putValue(
                shape, entries, run.from(), run.to(), hash(shape, entries, run.from(), run.to()));
        level.add(new Part(hash, run.from(), run.to()));
      }
      while (level.size() > 1) {
        level = index(shape, entries, level);
      }
      return level.get(0).hash();
    }

    List<Part> runs(List<Entry> entries) {
      List<Part> runs = new ArrayList<>();
      int start = 0;
      int size = 0;
      for (int i = 0; i < entries.size(); i++) {
        int cost = entries.get(i).cost();
        if (i > start && size + cost > limits.partMax()) {
          runs.add(new Part(null, start, i));
          start = i;
          size = 0;
        }
        size += cost;
        if (size >= limits.partMin() && entries.get(i).endsRun()) {
          runs.add(new Part(null, start, i + 1));
          start = i + 1;
          size = 0;
        }
      }
      if (start < entries.size()) {
        runs.add(new Part(null, start, entries.size()));
      }
      return runs;
    }

    /** One level up the index: consecutive parts gathered, ending where a part's hash says. */
    List<Part> index(Shape shape, List<Entry> entries, List<Part> level) {
      List<Part> next = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < level.size(); i++) {
        int count = i - start + 1;
        boolean end =
            i == level.size() - 1
                || count >= limits.indexMax()
                || count >= limits.indexMin() && (level.get(i).hash().prefix() & 3) == 0;
        if (end) {
          next.add(
              count == 1 ? level.get(i) : putIndex(shape, entries, level.subList(start, i + 1)));
          start = i + 1;
        }
      }
      return next;
    }

    Part putIndex(Shape shape, List<Entry> entries, List<Part> parts) {
      int from = parts.get(0).from();
      int to = parts.get(parts.size() - 1).to();
      ContentHash hash = hash(shape, entries, from, to);
      put(
          new Piece(
              hash,
              shape.partsKind,
              String.valueOf(to - from),
              parts.stream().map(Part::hash).toList()));
      return new Part(hash, from, to);
    }

    ContentHash putValue(Shape shape, List<Entry> entries, int from, int to, ContentHash hash) {
      List<ContentHash> links = new ArrayList<>();
      for (int i = from; i < to; i++) {
        if (entries.get(i).value().link() != null) {
          links.add(entries.get(i).value().link());
        }
      }
      return put(new Piece(hash, Piece.VALUE, text(shape, entries, from, to, true), links));
    }

    ContentHash put(Piece piece) {
      pieces.putIfAbsent(piece.hash(), piece);
      return piece.hash();
    }
  }
}
