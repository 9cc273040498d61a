package dev.rota.platform;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list and the opaque cursor of the next page ({@code null} on the last page).
 * Cursors wrap the sort key of the last item; clients pass them back unchanged.
 */
public record Page<T>(List<T> items, String nextCursor) {

  /** Largest page a client may ask for. */
  public static final int MAX_LIMIT = 500;

  /**
   * Builds a page from {@code limit + 1} fetched rows: the extra row only tells whether another
   * page follows.
   */
  public static <R, T> Page<T> of(
      List<R> fetched, int limit, Function<R, String> sortKey, Function<R, T> view) {
    boolean more = fetched.size() > limit;
    List<R> shown = more ? fetched.subList(0, limit) : fetched;
    String next = more ? encode(sortKey.apply(shown.get(shown.size() - 1))) : null;
    return new Page<>(shown.stream().map(view).toList(), next);
  }

  /** The sort key inside a cursor, or null for the first page. */
  public static String decode(String cursor) {
    if (cursor == null || cursor.isBlank()) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidCursor();
    }
  }

  static String encode(String key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /** A cursor that this server did not hand out. */
  public static final class InvalidCursor extends ProblemException {
    public InvalidCursor() {
      super(
          400,
          "Invalid cursor",
          "The cursor is not one this server handed out; start again without it.");
    }
  }
}
