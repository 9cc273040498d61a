package dev.rota.configvcs.internal.persistence;

import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.Piece;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The object store: content-addressed pieces of documents, written once and never changed (the
 * database refuses it, V6__configvcs.sql). Writing sends only the pieces not stored yet; reading
 * fetches pieces by hash, one level of a document's Merkle tree per statement, so that pieces whose
 * text a reader holds already are never fetched again.
 */
public class ObjectRepository {

  private static final String STORED =
      "SELECT hash FROM configvcs.objects WHERE hash = ANY (?)"; // 1 the hashes asked about

  /**
   * Inserts pieces in the order given (children before the pieces that link to them, which the
   * links trigger checks). A piece that a concurrent transaction stored first is skipped: it is the
   * same piece.
   */
  private static final String INSERT =
      """
      INSERT INTO configvcs.objects (hash, kind, body, links)
      SELECT p.hash, p.kind::"char", p.body::jsonb, p.links
        FROM unnest(?::bytea[],                               -- 1 hashes
                    ?::text[],                                -- 2 kinds
                    ?::text[],                                -- 3 bodies, JSON text
                    ?::bytea[])                               -- 4 links, 32 bytes each
             WITH ORDINALITY AS p(hash, kind, body, links, n)
       ORDER BY p.n
      ON CONFLICT (hash) DO NOTHING
      """;

  private static final String BY_HASH =
      "SELECT hash, kind, body::text, links FROM configvcs.objects WHERE hash = ANY (?)"; // 1

  // hashes

  /** Which of {@code hashes} are stored already. */
  public Set<ContentHash> stored(Connection c, Collection<ContentHash> hashes) throws SQLException {
    Set<ContentHash> stored = new HashSet<>();
    try (PreparedStatement query = c.prepareStatement(STORED)) {
      query.setArray(1, c.createArrayOf("bytea", bytes(hashes)));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          stored.add(ContentHash.fromBytes(rows.getBytes(1)));
        }
      }
    }
    return stored;
  }

  /** Stores the pieces that are not stored yet; returns how many that were. */
  public int insertMissing(Connection c, List<Piece> pieces) throws SQLException {
    Set<ContentHash> stored = stored(c, pieces.stream().map(Piece::hash).toList());
    List<Piece> missing = pieces.stream().filter(p -> !stored.contains(p.hash())).toList();
    if (missing.isEmpty()) {
      return 0;
    }
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setArray(
          1, c.createArrayOf("bytea", bytes(missing.stream().map(Piece::hash).toList())));
      insert.setArray(
          2,
          c.createArrayOf("text", missing.stream().map(p -> String.valueOf(p.kind())).toArray()));
      insert.setArray(3, c.createArrayOf("text", missing.stream().map(Piece::body).toArray()));
      insert.setArray(
          4,
          c.createArrayOf("bytea", missing.stream().map(Piece::linkBytes).toArray(byte[][]::new)));
      insert.executeUpdate();
    }
    return missing.size();
  }

  /** The pieces stored under {@code hashes} (and not those they link to), by hash. */
  public Map<ContentHash, Piece> fetch(Connection c, Collection<ContentHash> hashes)
      throws SQLException {
    Map<ContentHash, Piece> pieces = new HashMap<>();
    if (hashes.isEmpty()) {
      return pieces;
    }
    try (PreparedStatement query = c.prepareStatement(BY_HASH)) {
      query.setArray(1, c.createArrayOf("bytea", bytes(hashes)));
      read(query, pieces);
    }
    return pieces;
  }

  private static void read(PreparedStatement query, Map<ContentHash, Piece> pieces)
      throws SQLException {
    try (ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        ContentHash hash = ContentHash.fromBytes(rows.getBytes(1));
        String kind = rows.getString(2);
        pieces.put(
            hash,
            new Piece(hash, kind.charAt(0), rows.getString(3), Piece.links(rows.getBytes(4))));
      }
    }
  }

  static byte[][] bytes(Collection<ContentHash> hashes) {
    List<byte[]> all = new ArrayList<>(hashes.size());
    hashes.forEach(hash -> all.add(hash.bytes()));
    return all.toArray(byte[][]::new);
  }
}
