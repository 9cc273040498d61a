package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.InvalidReference;
import java.util.regex.Pattern;

/**
 * The name of a branch or tag: a letter or digit, then up to 99 letters, digits, {@code . _ -},
 * never {@code ..} and never 64 hex digits (which always mean a commit). The database checks the
 * same rule ({@code refs_name_valid}).
 */
public record RefName(String value) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** The protected default branch of every repository. */
  public static final RefName MAIN = new RefName("main");

  public RefName {
    if (value == null
        || !NAME.matcher(value).matches()
        || value.contains("..")
        || ContentHash.looksLikeHash(value)) {
      throw new InvalidReference(
          "'"
              + value
              + "' is not a branch or tag name: a letter or digit, then up to 99 letters,"
              + " digits, '.', '_' or '-', without '..' (64 hex digits always mean a commit).");
    }
  }

  public static RefName of(String value) {
    return new RefName(value);
  }

  public boolean isMain() {
    return equals(MAIN);
  }

  @Override
  public String toString() {
    return value;
  }
}
