package dev.rota.platform.internal.paging;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the sort key of a page cursor with an HMAC-SHA256 tag and opens only cursors whose tag
 * matches, so a client can pass back what it was given but cannot make a cursor up: whatever
 * reaches SQL as a cursor's key is a key this server wrote.
 *
 * <p>The key is the database's ({@code platform.cursor_signing_key}, installed at start by {@link
 * CursorKeyLoader}), shared by every server and kept across restarts. Until it is installed, for
 * example in a module's tests without Liberty, a random key of this JVM signs.
 */
public final class CursorSigner {

  private static final String ALGORITHM = "HmacSHA256";

  /** 128 bits of tag: forging one is out of reach; the cursor stays short. */
  private static final int TAG_BYTES = 16;

  /** Separates this use of the key from any other use it might get later. */
  private static final byte[] CONTEXT = "rota-cursor-v1\0".getBytes(StandardCharsets.UTF_8);

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private static volatile SecretKeySpec key = new SecretKeySpec(randomBytes(), ALGORITHM);

  private CursorSigner() {}

  /** Signs from now on with {@code secret} (at least 32 bytes). */
  public static void useKey(byte[] secret) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("A cursor signing key has at least 32 bytes");
    }
    key = new SecretKeySpec(secret.clone(), ALGORITHM);
  }

  /** {@code base64url(sortKey) "." base64url(tag)}. */
  public static String seal(String sortKey) {
    byte[] payload = sortKey.getBytes(StandardCharsets.UTF_8);
    return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(tag(payload));
  }

  /** The sort key of a cursor this server sealed, or empty for anything else. */
  public static Optional<String> open(String cursor) {
    int dot = cursor.indexOf('.');
    if (dot < 0 || dot != cursor.lastIndexOf('.')) {
      return Optional.empty();
    }
    try {
      byte[] payload = DECODER.decode(cursor.substring(0, dot));
      byte[] tag = DECODER.decode(cursor.substring(dot + 1));
      return MessageDigest.isEqual(tag, tag(payload))
          ? Optional.of(new String(payload, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
  }

  private static byte[] tag(byte[] payload) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(CONTEXT);
      byte[] full = mac.doFinal(payload);
      byte[] tag = new byte[TAG_BYTES];
      System.arraycopy(full, 0, tag, 0, TAG_BYTES);
      return tag;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
