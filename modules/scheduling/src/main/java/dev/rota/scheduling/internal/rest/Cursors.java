package dev.rota.scheduling.internal.rest;

import dev.rota.platform.Page;

/** The cursors of scheduling's lists wrap the last id shown. */
final class Cursors {

  private Cursors() {}

  static Long afterId(String cursor) {
    String key = Page.decode(cursor);
    if (key == null) {
      return null;
    }
    try {
      return Long.valueOf(key);
    } catch (NumberFormatException e) {
      throw new Page.InvalidCursor();
    }
  }
}
