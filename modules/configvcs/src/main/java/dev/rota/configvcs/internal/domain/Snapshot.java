package dev.rota.configvcs.internal.domain;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a commit holds: each document path with the hash of its document, as git's tree holds file
 * names and blob hashes. Content-addressed like everything else: its hash is the SHA-256 of the
 * canonical JSON of {@link #entriesJson()}.
 */
public final class Snapshot {

  /** The snapshot of a repository without documents. */
  public static final Snapshot EMPTY = new Snapshot(new TreeMap<>());

  private final SortedMap<ConfigPath, ContentHash> entries;
  private final String canonical;

  private Snapshot(SortedMap<ConfigPath, ContentHash> entries) {
    this.entries = Collections.unmodifiableSortedMap(entries);
    this.canonical = CanonicalJson.write(entriesJson());
  }

  public static Snapshot of(Map<ConfigPath, ContentHash> entries) {
    return new Snapshot(new TreeMap<>(entries));
  }

  /** A snapshot from its stored entries, {@code {"path": "<hex>"}}. */
  public static Snapshot fromJson(JsonObject stored) {
    SortedMap<ConfigPath, ContentHash> entries = new TreeMap<>();
    stored.forEach(
        (path, hash) ->
            entries.put(ConfigPath.of(path), ContentHash.parse(((JsonString) hash).getString())));
    return new Snapshot(entries);
  }

  public Map<ConfigPath, ContentHash> entries() {
    return entries;
  }

  public Optional<ContentHash> get(ConfigPath path) {
    return Optional.ofNullable(entries.get(path));
  }

  /** This snapshot with {@code path} holding {@code document}, or without it when that is null. */
  public Snapshot with(ConfigPath path, ContentHash document) {
    SortedMap<ConfigPath, ContentHash> changed = new TreeMap<>(entries);
    if (document == null) {
      changed.remove(path);
    } else {
      changed.put(path, document);
    }
    return new Snapshot(changed);
  }

  public JsonObject entriesJson() {
    JsonObjectBuilder json = JsonText.PROVIDER.createObjectBuilder();
    entries.forEach((path, hash) -> json.add(path.value(), hash.hex()));
    return json.build();
  }

  /** The canonical JSON stored in the database. */
  public String canonical() {
    return canonical;
  }

  public ContentHash hash() {
    return ContentHash.of(canonical);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Snapshot snapshot && canonical.equals(snapshot.canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }
}
