package dev.rota.storage.internal.domain;

import dev.rota.storage.StorageException.InvalidVolume;
import java.util.regex.Pattern;

/**
 * A host path as Rota accepts it: absolute, already normalized, ASCII, within Linux's limits
 * (PATH_MAX of 4096 bytes counts the terminating NUL, so at most 4095 bytes; NAME_MAX of 255 bytes
 * per segment). Anything a kubelet or a shell could resolve to somewhere else ({@code ..}, {@code
 * .}, {@code //}, percent-encoding, look-alike Unicode dots, a trailing slash) is refused rather
 * than cleaned up, so that what is stored is exactly what is mounted. The database checks the same
 * form and limits again.
 */
public record HostPath(String value) {

  /** PATH_MAX (4096) less the terminating NUL; paths are ASCII, so bytes and characters agree. */
  public static final int MAX_BYTES = 4095;

  /** NAME_MAX: the longest segment. */
  public static final int MAX_SEGMENT_BYTES = 255;

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  /** Shown in messages: enough to recognise the path, never a wall of text. */
  private static final int SHOWN = 80;

  public static HostPath parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new InvalidVolume("A hostPath is required.");
    }
    if (!raw.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidVolume(
          "The hostPath "
              + shown(raw.replaceAll("[^\\x21-\\x7e]", "?"))
              + " has characters outside printable ASCII (shown as ?).");
    }
    if (raw.length() > MAX_BYTES) {
      throw new InvalidVolume(
          "The hostPath is "
              + raw.length()
              + " bytes long; at most "
              + MAX_BYTES
              + " are allowed (PATH_MAX 4096 with the terminating NUL).");
    }
    if (raw.contains("%")) {
      throw new InvalidVolume(
          "The hostPath " + shown(raw) + " contains percent-encoding; give the plain path.");
    }
    if (!raw.startsWith("/") || raw.length() == 1) {
      throw new InvalidVolume("The hostPath " + shown(raw) + " must be absolute and below /.");
    }
    if (raw.endsWith("/") || raw.contains("//")) {
      throw new InvalidVolume(
          "The hostPath " + shown(raw) + " must have no empty segment or trailing slash.");
    }
    for (String segment : raw.substring(1).split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidVolume(
            "The hostPath " + shown(raw) + " must not contain '.' or '..' segments.");
      }
      if (segment.length() > MAX_SEGMENT_BYTES) {
        throw new InvalidVolume(
            "The hostPath segment "
                + shown(segment)
                + " is "
                + segment.length()
                + " bytes long; at most "
                + MAX_SEGMENT_BYTES
                + " are allowed (NAME_MAX).");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw new InvalidVolume(
            "The hostPath segment "
                + shown(segment)
                + " must start with a letter, digit or _ and"
                + " contain only letters, digits, '.', '_' and '-'.");
      }
    }
    return new HostPath(raw);
  }

  /** Whether this path lies strictly below {@code root}. */
  public boolean isUnder(String root) {
    return value.startsWith(root + "/");
  }

  private static String shown(String text) {
    return "'" + (text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...") + "'";
  }
}
