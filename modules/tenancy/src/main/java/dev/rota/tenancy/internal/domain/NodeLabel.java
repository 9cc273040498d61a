package dev.rota.tenancy.internal.domain;

import dev.rota.tenancy.TenancyException.InvalidTenancyRequest;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The ltree label of a node, a slug of its name: accents dropped ({@code Café} to {@code cafe}),
 * every other run of characters outside a-z and 0-9 turned into one underscore, cut to 63
 * characters. The same name always gives the same label. A name with no letter or digit that maps
 * to a-z or 0-9 (say, only Han characters or punctuation) is refused rather than given an opaque
 * label.
 */
public record NodeLabel(String value) {

  public static final int MAX_NAME_LENGTH = 200;
  static final int MAX_LENGTH = 63;

  private static final String LABELS = "[a-z0-9][a-z0-9_]{0,62}(/[a-z0-9][a-z0-9_]{0,62})*";

  /** A slash path as the API accepts it: labels separated by /, leading or trailing / ignored. */
  public static final String PATH_PATTERN = "/*" + LABELS + "/*";

  public static final String PATH_RULE =
      "must be a node path: labels of a-z, 0-9 and _, joined by /";

  /**
   * Longest slash path the API accepts: 64 levels of the longest labels. Deeper trees work, but
   * their deepest nodes are reached by id, not by path.
   */
  public static final int MAX_PATH_LENGTH = 4096;

  public static NodeLabel fromName(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidTenancyRequest("A node needs a name.");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidTenancyRequest(
          "A node name has at most "
              + MAX_NAME_LENGTH
              + " characters; this one has "
              + name.length()
              + ".");
    }
    if (name.codePoints().anyMatch(Character::isISOControl)) {
      throw new InvalidTenancyRequest(
          "A node name cannot contain control characters (such as NUL, tab or a line break).");
    }
    String ascii =
        Normalizer.normalize(name, Normalizer.Form.NFKD)
            .replaceAll("\\p{M}", "")
            .toLowerCase(Locale.ROOT);
    String slug = ascii.replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    if (slug.isEmpty()) {
      throw new InvalidTenancyRequest(
          "The name '"
              + name
              + "' has no letter or digit from a-z or 0-9 to make its path label from; include"
              + " some, for example a transliteration.");
    }
    if (slug.length() > MAX_LENGTH) {
      slug = slug.substring(0, MAX_LENGTH).replaceAll("_+$", "");
    }
    return new NodeLabel(slug);
  }

  /** Splits a path like {@code acme/ml/vision} into labels, refusing what no label can be. */
  public static String toLtree(String slashPath) {
    String trimmed = slashPath.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty() || !trimmed.matches(LABELS)) {
      throw new InvalidTenancyRequest(
          "'" + slashPath + "' is not a node path: labels of a-z, 0-9 and _, separated by /.");
    }
    return trimmed.replace('/', '.');
  }

  /** The slash form of an ltree path, as the API shows it. */
  public static String toSlashPath(String ltree) {
    return ltree.replace('.', '/');
  }
}
