package dev.rota.configvcs.internal.persistence;

import dev.rota.configvcs.internal.domain.ContentHash;
import java.time.OffsetDateTime;

/** A branch or tag of a node's repository. */
public record RefRow(
    String name,
    Kind kind,
    ContentHash commit,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {

  /** As {@code configvcs.ref_kind} names them. */
  public enum Kind {
    BRANCH,
    TAG;

    public String sqlName() {
      return name().toLowerCase();
    }

    public static Kind fromSql(String value) {
      return valueOf(value.toUpperCase());
    }
  }
}
