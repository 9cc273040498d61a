package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.internal.domain.Assembler;
import dev.rota.configvcs.internal.domain.ContentHash;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The canonical text of pieces read lately, shared by every request. A piece never changes, so an
 * entry never goes stale and no invalidation exists: a new version of a document brings new pieces,
 * and reading it fetches only those. The least recently used entries go first once the texts held
 * pass {@link #DEFAULT_CAPACITY} characters.
 */
@ApplicationScoped
public class PieceCache implements Assembler.Memory {

  /** About 64 MB of configuration text. */
  public static final long DEFAULT_CAPACITY = 64L << 20;

  private final long capacity;
  private final LinkedHashMap<ContentHash, String> texts = new LinkedHashMap<>(1024, 0.75f, true);
  private long size;

  public PieceCache() {
    this(DEFAULT_CAPACITY);
  }

  /** A cache holding at most {@code capacity} characters; 0 caches nothing. */
  public PieceCache(long capacity) {
    this.capacity = capacity;
  }

  @Override
  public synchronized String get(ContentHash hash) {
    return texts.get(hash);
  }

  @Override
  public synchronized void put(ContentHash hash, String text) {
    if (text.length() > capacity / 4 || texts.containsKey(hash)) {
      return;
    }
    texts.put(hash, text);
    size += text.length();
    Iterator<Map.Entry<ContentHash, String>> eldest = texts.entrySet().iterator();
    while (size > capacity && eldest.hasNext()) {
      size -= eldest.next().getValue().length();
      eldest.remove();
    }
  }

  /** Forgets everything, as after a restart (for measurements). */
  public synchronized void clear() {
    texts.clear();
    size = 0;
  }
}
