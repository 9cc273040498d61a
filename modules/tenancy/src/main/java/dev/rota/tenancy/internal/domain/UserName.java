package dev.rota.tenancy.internal.domain;

import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import java.util.regex.Pattern;

/**
 * The name a user signs in with, checked before it is used to look anyone up, so that text no user
 * can have (control characters, NUL) is refused with a 400 instead of reaching the database.
 */
public record UserName(String value) {

  /** The same rule as the {@code users_name_valid} constraint. */
  public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._@-]{0,127}";

  public static final int MAX_LENGTH = 128;

  /** What {@link #PATTERN} asks, for a violation's message. */
  public static final String RULE =
      "must be 1-128 letters, digits or . _ @ -, starting with a letter or digit";

  private static final Pattern VALID = Pattern.compile(PATTERN);

  public static UserName of(String name) {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new InvalidTenancyRequest(
          "A user name is 1-128 letters, digits or . _ @ -, starting with a letter or digit.");
    }
    return new UserName(name);
  }
}
