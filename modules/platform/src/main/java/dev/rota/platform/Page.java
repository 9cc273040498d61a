package dev.rota.platform;

import dev.rota.platform.internal.paging.CursorSigner;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One page of a list and the opaque cursor of the next page ({@code null} on the last page).
 * Cursors wrap the sort key of the last item with an HMAC signature ({@link CursorSigner}); clients
 * pass them back unchanged, and {@link #decode} refuses any cursor this server did not sign, so no
 * client-made text reaches SQL as a sort key.
 */
public record Page<T>(
    @Schema(description = "The items of this page, in the list's order", maxItems = MAX_LIMIT)
        List<T> items,
    @Schema(
            description =
                "The cursor of the next page, to pass back unchanged as `cursor`; null on the last"
                    + " page",
            maxLength = MAX_CURSOR_LENGTH)
        String nextCursor) {

  /** Largest page a client may ask for. */
  public static final int MAX_LIMIT = 500;

  /**
   * Longest cursor a client may send. A cursor is the page's last sort key and a 16-byte tag in
   * base64url; sort keys are at most a node path ({@code 4096} characters), so every cursor this
   * server hands out fits.
   */
  public static final int MAX_CURSOR_LENGTH = 8192;

  /**
   * What a cursor looks like: two base64url parts joined by a dot; empty means the first page.
   * {@link #decode} refuses anything else, and anything longer than {@link #MAX_CURSOR_LENGTH}.
   */
  public static final String CURSOR_PATTERN = "([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)?";

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
    if (cursor.length() > MAX_CURSOR_LENGTH) {
      throw new InvalidCursor();
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
