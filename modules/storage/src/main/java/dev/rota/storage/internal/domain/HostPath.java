package dev.rota.storage.internal.domain;

import dev.rota.storage.StorageException.InvalidVolume;
import java.util.regex.Pattern;

/**
 * A host path as Rota accepts it: absolute, already normalized, ASCII. Anything a kubelet or a
 * shell could resolve to somewhere else ({@code ..}, {@code .}, {@code //}, percent-encoding,
 * look-alike Unicode dots, a trailing slash) is refused rather than cleaned up, so that what is
 * stored is exactly what is mounted. The database checks the same form again.
 */
public record HostPath(String value) {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");

  public static HostPath parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new InvalidVolume("A hostPath is required.");
    }
    if (!raw.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidVolume("The hostPath '" + raw + "' has characters outside printable ASCII.");
    }
    if (raw.contains("%")) {
      throw new InvalidVolume(
          "The hostPath '" + raw + "' contains percent-encoding; give the plain path.");
    }
    if (!raw.startsWith("/") || raw.length() == 1) {
      throw new InvalidVolume("The hostPath '" + raw + "' must be absolute and below the root.");
    }
    if (raw.endsWith("/") || raw.contains("//")) {
      throw new InvalidVolume(
          "The hostPath '" + raw + "' must have no empty segment or trailing slash.");
    }
    for (String segment : raw.substring(1).split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidVolume(
            "The hostPath '" + raw + "' must not contain '.' or '..' segments.");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw new InvalidVolume(
            "The hostPath segment '"
                + segment
                + "' must start with a letter, digit or _ and"
                + " contain only letters, digits, '.', '_' and '-'.");
      }
    }
    return new HostPath(raw);
  }

  /** Whether this path lies strictly below {@code root}. */
  public boolean isUnder(String root) {
    return value.startsWith(root + "/");
  }
}
