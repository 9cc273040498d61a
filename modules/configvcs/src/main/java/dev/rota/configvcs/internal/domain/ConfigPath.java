package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.InvalidReference;
import java.util.regex.Pattern;

/**
 * Where a document lives in a snapshot: one to eight segments of letters, digits, {@code . _ -}
 * joined by {@code /}, such as {@code quotas} or {@code images/default}. A segment never begins
 * with {@code .}, so there is no empty, {@code .} or {@code ..} segment and no leading or trailing
 * slash: a path never aliases another.
 */
public record ConfigPath(String value) implements Comparable<ConfigPath> {

  public static final int MAX_LENGTH = 255;
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final int MAX_SEGMENTS = 8;

  public ConfigPath {
    if (!valid(value)) {
      throw new InvalidReference(
          "'"
              + value
              + "' is not a document path: 1 to "
              + MAX_SEGMENTS
              + " segments of letters,"
              + " digits, '.', '_' and '-' joined by '/', none empty, '.' or '..', at most "
              + MAX_LENGTH
              + " characters (e.g. quotas or images/default).");
    }
  }

  public static ConfigPath of(String value) {
    return new ConfigPath(value);
  }

  private static boolean valid(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
      return false;
    }
    String[] segments = value.split("/", -1);
    if (segments.length > MAX_SEGMENTS) {
      return false;
    }
    for (String segment : segments) {
      if (!SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int compareTo(ConfigPath other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
