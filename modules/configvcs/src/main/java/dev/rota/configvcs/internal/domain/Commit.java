package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * A commit of a node's repository: a snapshot, its parents, who made it, why and when. Its hash is
 * the SHA-256 of the canonical JSON of all of that, the node included, so that no two repositories
 * ever share a commit and a commit names exactly one history.
 *
 * @param authorPartyId the author's tenancy party, when the author is a user Rota knows
 * @param committedAt to the microsecond, as PostgreSQL keeps it
 */
public record Commit(
    long nodeId,
    ContentHash hash,
    ContentHash snapshot,
    List<ContentHash> parents,
    String author,
    Long authorPartyId,
    String message,
    Instant committedAt) {

  public Commit {
    parents = List.copyOf(parents);
  }

  /** A new commit, its hash computed from everything else. */
  public static Commit create(
      long nodeId,
      ContentHash snapshot,
      List<ContentHash> parents,
      String author,
      Long authorPartyId,
      String message,
      Instant at) {
    Instant time = at.truncatedTo(ChronoUnit.MICROS);
    JsonArrayBuilder parentList = JsonText.PROVIDER.createArrayBuilder();
    parents.forEach(parent -> parentList.add(parent.hex()));
    JsonObjectBuilder content =
        JsonText.PROVIDER
            .createObjectBuilder()
            .add("node", nodeId)
            .add("snapshot", snapshot.hex())
            .add("parents", parentList)
            .add("author", author)
            .add("message", message)
            .add("time", time.toString());
    if (authorPartyId != null) {
      content.add("authorParty", authorPartyId);
    }
    ContentHash hash = ContentHash.of(CanonicalJson.write(content.build()));
    return new Commit(nodeId, hash, snapshot, parents, author, authorPartyId, message, time);
  }

  /** The parent a linear history follows, as {@code git log --first-parent} does. */
  public Optional<ContentHash> firstParent() {
    return parents.isEmpty() ? Optional.empty() : Optional.of(parents.get(0));
  }
}
