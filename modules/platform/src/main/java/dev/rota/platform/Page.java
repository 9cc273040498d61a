package dev.rota.platform;

import dev.rota.platform.internal.paging.CursorSigner;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list and the opaque cursor of the next page ({@code null} on the last page).
 * Cursors wrap the sort key of the last item with an HMAC signature ({@link CursorSigner}); clients
 * pass them back unchanged, and {@link #decode} refuses any cursor this server did not sign, so no
 * client-made text reaches SQL as a sort key.
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
    return CursorSigner.open(cursor).orElseThrow(InvalidCursor::new);
  }

  static String encode(String key) {
    return CursorSigner.seal(key);
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
