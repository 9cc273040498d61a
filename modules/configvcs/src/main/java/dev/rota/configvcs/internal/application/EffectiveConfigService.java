package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.internal.domain.ConfigPath;
import dev.rota.configvcs.internal.domain.ContentHash;
import dev.rota.configvcs.internal.domain.DeepMerge;
import dev.rota.configvcs.internal.persistence.InheritanceRepository;
import dev.rota.configvcs.internal.persistence.InheritanceRepository.Layer;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configuration a node lives by: for each path, the deep merge of the documents at the main
 * heads of the root, each ancestor and the node itself, root first and the node winning, each leaf
 * with the node it came from. Viewers of the node see what it inherits, also from ancestors they
 * cannot read directly, as a member of a project sees the quotas its group sets.
 */
@ApplicationScoped
public class EffectiveConfigService {

  private final InheritanceRepository inheritance = new InheritanceRepository();
  private final Revisions revisions = new Revisions();

  @Inject ConfigAccess access;

  public EffectiveConfigService() {}

  public EffectiveConfigService(ConfigAccess access) {
    this.access = access;
  }

  /** The merged documents, by path, and the layers they were merged from, root first. */
  public record Effective(
      long nodeId, List<Layer> layers, Map<ConfigPath, DeepMerge.Result> documents) {}

  public Effective of(Caller caller, long nodeId) {
    return access.read(
        caller,
        nodeId,
        Role.VIEWER,
        "read this node's configuration",
        c -> {
          List<Layer> layers = inheritance.ancestorHeads(c, nodeId);
          Set<ContentHash> blobs = new HashSet<>();
          layers.stream()
              .filter(l -> l.snapshot() != null)
              .forEach(l -> blobs.addAll(l.snapshot().entries().values()));
          Map<ContentHash, JsonValue> loaded = revisions.documents(c, blobs, access.pieces());
          Map<ConfigPath, List<DeepMerge.Layer>> byPath = new TreeMap<>();
          for (Layer layer : layers) {
            if (layer.snapshot() != null) {
              layer
                  .snapshot()
                  .entries()
                  .forEach(
                      (path, blob) ->
                          byPath
                              .computeIfAbsent(path, p -> new ArrayList<>())
                              .add(new DeepMerge.Layer(layer.nodeId(), loaded.get(blob))));
            }
          }
          Map<ConfigPath, DeepMerge.Result> documents = new TreeMap<>();
          byPath.forEach((path, versions) -> documents.put(path, DeepMerge.merge(versions)));
          return new Effective(nodeId, layers, documents);
        });
  }
}
