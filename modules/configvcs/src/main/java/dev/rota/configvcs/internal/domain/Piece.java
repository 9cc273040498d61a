package dev.rota.configvcs.internal.domain;

import java.util.List;

/**
 * One stored object: a document, or a piece of a large one. Its hash is the SHA-256 of the
 * canonical JSON of the whole value it stands for, whatever its kind.
 *
 * @param kind {@link #VALUE}: {@code body} is the value, with each child stored apart written as
 *     the string {@code "#i"} ({@code i} indexes {@code links}) and each string value that begins
 *     with {@code #} written with one more {@code #} in front; {@link #OBJECT_PARTS} and {@link
 *     #ARRAY_PARTS}: the value is an object or array whose members or elements are those of the
 *     objects in {@code links}, in order; {@code body} is their count
 * @param body JSON text, stored as jsonb
 * @param links the hashes of the objects this one refers to
 */
public record Piece(ContentHash hash, char kind, String body, List<ContentHash> links) {

  public static final char VALUE = 'v';
  public static final char OBJECT_PARTS = 'o';
  public static final char ARRAY_PARTS = 'a';

  /** How a link's marker begins: {@code "#0"} names the first link. */
  static final char MARKER = '#';

  public Piece {
    links = List.copyOf(links);
  }

  /** The links as the database stores them: 32 bytes each, concatenated. */
  public byte[] linkBytes() {
    byte[] bytes = new byte[links.size() * ContentHash.BYTES];
    for (int i = 0; i < links.size(); i++) {
      links.get(i).copyTo(bytes, i * ContentHash.BYTES);
    }
    return bytes;
  }

  /** The links from their stored form. */
  public static List<ContentHash> links(byte[] bytes) {
    ContentHash[] links = new ContentHash[bytes.length / ContentHash.BYTES];
    for (int i = 0; i < links.length; i++) {
      byte[] one = new byte[ContentHash.BYTES];
      System.arraycopy(bytes, i * ContentHash.BYTES, one, 0, ContentHash.BYTES);
      links[i] = ContentHash.fromBytes(one);
    }
    return List.of(links);
  }

  /** The stored form of a string value: one more {@code #} in front of one that begins with it. */
  static String escape(String value) {
    return !value.isEmpty() && value.charAt(0) == MARKER ? MARKER + value : value;
  }

  /** Whether a stored string is a link's marker (else it is an escaped or plain value). */
  static boolean isMarker(String stored) {
    return stored.length() > 1 && stored.charAt(0) == MARKER && stored.charAt(1) != MARKER;
  }

  static String unescape(String stored) {
    return !stored.isEmpty() && stored.charAt(0) == MARKER ? stored.substring(1) : stored;
  }
}
