package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.InvalidReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A SHA-256 content address: of a value's canonical JSON, a snapshot or a commit. */
public final class ContentHash implements Comparable<ContentHash> {

  /** Length of a hash in bytes. */
  public static final int BYTES = 32;

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final HexFormat HEX_FORMAT = HexFormat.of();

  private final byte[] bytes;

  private ContentHash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The hash of a text's UTF-8 bytes. */
  public static ContentHash of(String text) {
    MessageDigest digest = digest();
    digest.update(text.getBytes(StandardCharsets.UTF_8));
    return new ContentHash(digest.digest());
  }

  /** A hash given as 32 bytes, as the database stores it. */
  public static ContentHash fromBytes(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a SHA-256 hash has 32 bytes, not " + bytes.length);
    }
    return new ContentHash(bytes.clone());
  }

  /** A hash given as 64 lower-case hex digits; anything else is a client's mistake. */
  public static ContentHash parse(String hex) {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new InvalidReference("'" + hex + "' is not a commit hash: 64 lower-case hex digits.");
    }
    return new ContentHash(HEX_FORMAT.parseHex(hex));
  }

  /** Whether the text has the form of a hash (64 lower-case hex digits). */
  public static boolean looksLikeHash(String text) {
    return text != null && HEX.matcher(text).matches();
  }

  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Wraps a finished digest. */
  public static ContentHash of(MessageDigest finished) {
    return new ContentHash(finished.digest());
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /** Copies the 32 bytes into {@code target} at {@code offset}. */
  public void copyTo(byte[] target, int offset) {
    System.arraycopy(bytes, 0, target, offset, BYTES);
  }

  /** The first bytes as an int, for decisions that must depend on content alone. */
  public int prefix() {
    return ((bytes[0] & 0xff) << 24)
        | ((bytes[1] & 0xff) << 16)
        | ((bytes[2] & 0xff) << 8)
        | (bytes[3] & 0xff);
  }

  public String hex() {
    return HEX_FORMAT.formatHex(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ContentHash hash && Arrays.equals(bytes, hash.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(ContentHash other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
