package dev.rota.configvcs.internal.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * What {@link Chunker} works on: a container's entries (members or elements, each value either kept
 * inline or linked), and the two texts of a range of them: its canonical JSON, whose SHA-256 is the
 * range's key, and its stored text, in which linked values are markers.
 */
final class ChunkText {

  private ChunkText() {}

  /** A value as its parent holds it: its canonical JSON, and either its stored text or a link. */
  record Encoded(String canonical, String inline, ContentHash link) {
    int cost() {
      return link != null ? Chunker.LINK_COST : inline.length();
    }
  }

  /** A member (with its name as canonical JSON) or an element (without). */
  record Entry(String name, Encoded value) {
    int cost() {
      return (name == null ? 0 : name.length() + 1) + value.cost() + 1;
    }

    boolean endsRun() {
      int h =
          name != null
              ? name.hashCode()
              : value.link() != null ? value.link().prefix() : value.canonical().hashCode();
      h *= 0x9E3779B9;
      return ((h ^ (h >>> 16)) & 3) == 0;
    }
  }

  enum Shape {
    OBJECT('{', '}', Piece.OBJECT_PARTS),
    ARRAY('[', ']', Piece.ARRAY_PARTS);

    final char open;
    final char close;
    final char partsKind;

    Shape(char open, char close, char partsKind) {
      this.open = open;
      this.close = close;
      this.partsKind = partsKind;
    }
  }

  /** The canonical JSON of a range of entries, or its stored text (links as markers). */
  static String text(Shape shape, List<Entry> entries, int from, int to, boolean stored) {
    StringBuilder out = new StringBuilder().append(shape.open);
    int link = 0;
    for (int i = from; i < to; i++) {
      Entry entry = entries.get(i);
      if (i > from) {
        out.append(',');
      }
      if (entry.name() != null) {
        out.append(entry.name()).append(':');
      }
      Encoded value = entry.value();
      if (!stored) {
        out.append(value.canonical());
      } else if (value.link() != null) {
        out.append('"').append(Piece.MARKER).append(link++).append('"');
      } else {
        out.append(value.inline());
      }
    }
    return out.append(shape.close).toString();
  }

  /** The hash of a range's canonical JSON, without building it. */
  static ContentHash hash(Shape shape, List<Entry> entries, int from, int to) {
    MessageDigest digest = ContentHash.digest();
    digest.update((byte) shape.open);
    for (int i = from; i < to; i++) {
      if (i > from) {
        digest.update((byte) ',');
      }
      Entry entry = entries.get(i);
      if (entry.name() != null) {
        digest.update(entry.name().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
      }
      digest.update(entry.value().canonical().getBytes(StandardCharsets.UTF_8));
    }
    digest.update((byte) shape.close);
    return ContentHash.of(digest);
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2);
    CanonicalJson.appendString(out, text);
    return out.toString();
  }
}
