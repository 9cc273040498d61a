package dev.rota.queue.internal.rest;

import dev.rota.platform.Page;

/** The numbers inside the queue's signed cursors. */
final class Cursors {

  private Cursors() {}

  /** A cursor's number; a signed cursor of another list is refused like a forged one. */
  static long number(String key) {
    try {
      return Long.parseLong(key);
    } catch (NumberFormatException e) {
      throw new Page.InvalidCursor();
    }
  }
}
