package dev.rota.configvcs.internal.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles the canonical JSON of stored documents from their {@link Piece}s: the inverse of
 * {@link Chunker}. Each piece's stored text is read once by a {@link PieceReader} that writes it
 * canonically and splices in the canonical text of the pieces it links to, so no JSON value is ever
 * built. A document's text is checked against its content address before it is returned: what comes
 * back is byte for byte the canonical JSON that was stored, or an error.
 */
public final class Assembler {

  /** Canonical texts already known, kept across assemblies. */
  public interface Memory {
    String get(ContentHash hash);

    void put(ContentHash hash, String text);

    /** Remembers nothing. */
    Memory NONE =
        new Memory() {
          @Override
          public String get(ContentHash hash) {
            return null;
          }

          @Override
          public void put(ContentHash hash, String text) {}
        };
  }

  private final Map<ContentHash, Piece> pieces;
  private final Map<ContentHash, String> assembled;
  private final Memory memory;

  /** An assembler over the pieces of one or more documents, as loaded from the store. */
  public Assembler(Map<ContentHash, Piece> pieces) {
    this(pieces, Map.of(), Memory.NONE);
  }

  /**
   * An assembler over loaded pieces and texts already known (which it need not load), that
   * remembers what it assembles in {@code memory}.
   */
  public Assembler(Map<ContentHash, Piece> pieces, Map<ContentHash, String> known, Memory memory) {
    this.pieces = pieces;
    this.assembled = new HashMap<>(known);
    this.memory = memory;
  }

  /**
   * The canonical JSON of the document stored under {@code hash}, verified against it unless it was
   * known already (and so verified when it was first assembled).
   */
  public String document(ContentHash hash) {
    String known = assembled.get(hash);
    if (known != null) {
      return known;
    }
    String text = assemble(hash);
    MessageDigest digest = ContentHash.digest();
    digest.update(text.getBytes(StandardCharsets.UTF_8));
    if (!ContentHash.of(digest).equals(hash)) {
      throw new IllegalStateException("document " + hash + " does not reassemble to its own hash");
    }
    remember(hash, text);
    return text;
  }

  /** The canonical JSON of the value stored under {@code hash}. */
  String canonical(ContentHash hash) {
    String known = assembled.get(hash);
    if (known != null) {
      return known;
    }
    String text = assemble(hash);
    remember(hash, text);
    return text;
  }

  private String assemble(ContentHash hash) {
    Piece piece = pieces.get(hash);
    if (piece == null) {
      throw new IllegalStateException("piece " + hash + " is missing from the store");
    }
    return switch (piece.kind()) {
      case Piece.VALUE ->
          new PieceReader(piece.body(), i -> canonical(piece.links().get(i))).read();
      case Piece.OBJECT_PARTS -> join(piece, '{', '}');
      case Piece.ARRAY_PARTS -> join(piece, '[', ']');
      default -> throw new IllegalStateException("unknown piece kind " + piece.kind());
    };
  }

  private void remember(ContentHash hash, String text) {
    assembled.put(hash, text);
    memory.put(hash, text);
  }

  /** Consecutive parts of one object or array: their members, between one pair of brackets. */
  private String join(Piece piece, char open, char close) {
    StringBuilder out = new StringBuilder().append(open);
    for (ContentHash part : piece.links()) {
      String text = canonical(part);
      if (out.length() > 1) {
        out.append(',');
      }
      out.append(text, 1, text.length() - 1);
    }
    return out.append(close).toString();
  }
}
