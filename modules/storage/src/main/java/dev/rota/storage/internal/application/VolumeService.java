package dev.rota.storage.internal.application;

import dev.rota.platform.Caller;
import dev.rota.platform.Transactions;
import dev.rota.storage.StorageException.InvalidVolume;
import dev.rota.storage.StorageException.PoolRootRefused;
import dev.rota.storage.StorageException.VolumeForbidden;
import dev.rota.storage.StorageException.VolumeNotFound;
import dev.rota.storage.StorageException.VolumeOutsidePool;
import dev.rota.storage.internal.domain.HostPath;
import dev.rota.storage.internal.domain.NodeAffinity;
import dev.rota.storage.internal.persistence.VolumeRepository;
import dev.rota.storage.internal.persistence.VolumeRow;
import dev.rota.tenancy.Authorization;
import dev.rota.tenancy.NamespaceName;
import dev.rota.tenancy.Parties;
import dev.rota.tenancy.Parties.Party;
import dev.rota.tenancy.Role;
import dev.rota.tenancy.TenancyException.NodeNotFound;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Volume use cases. Who may act is decided here through tenancy's roles: a user's volume is its
 * owner's, a group's volume is managed by the group's admins and seen by its viewers. What may
 * exist (paths, overlaps, owners, subtrees) is decided by the database.
 */
@ApplicationScoped
public class VolumeService {

  /** The label that names a node's pool (as on the simulated cluster's nodes). */
  static final String POOL_LABEL = "rota.dev/node-pool";

  private final VolumeRepository volumes = new VolumeRepository();

  @Inject Transactions transactions;
  @Inject Authorization authorization;
  @Inject Parties parties;
  @Inject VolumeReconciler reconciler;
  @Inject KubernetesClient kubernetes;

  /**
   * What a new volume is. Exactly one of {@code ownerUser} and {@code ownerGroup}, or neither (the
   * caller).
   */
  public record NewVolume(
      String name,
      String ownerUser,
      String ownerGroup,
      String pool,
      HostPath hostPath,
      long capacityBytes,
      String accessMode,
      NodeAffinity affinity) {}

  public VolumeRow create(Caller caller, NewVolume request) {
    List<Node> cluster = kubernetes.nodes().list().getItems();
    List<String> nodes = request.affinity().matching(cluster);
    if (nodes.isEmpty()) {
      throw new InvalidVolume(
          "nodeAffinity matches no node of the cluster; check the labels it names.");
    }
    requireInPool(request.pool(), cluster, nodes);
    VolumeRow created =
        transactions.write(
            caller.name(),
            c -> {
              Party owner = owner(c, caller, request);
              requireManage(c, caller, owner);
              long id =
                  volumes.insert(
                      c,
                      request.name(),
                      owner.id(),
                      request.pool(),
                      request.hostPath().value(),
                      request.capacityBytes(),
                      request.accessMode(),
                      request.affinity().json(),
                      nodes);
              if (id < 0) {
                throw new InvalidVolume(
                    "Pool '"
                        + request.pool()
                        + "' has no allowed root; a platform"
                        + " administrator sets one with PUT /api/v1/storage/pools/"
                        + request.pool()
                        + ".");
              }
              reconciler.enqueue(c, id);
              return volumes.find(c, id).orElseThrow();
            });
    return created;
  }

  public VolumeRow get(Caller caller, long id) {
    return transactions.read(c -> visible(c, caller, id));
  }

  /** The volumes the caller can see: their own and their groups', by id after a cursor. */
  public List<VolumeRow> list(Caller caller, Long afterId, int limit) {
    return transactions.read(
        c -> volumes.ownedBy(c, parties.actingParties(c, caller.name()), afterId, limit + 1));
  }

  /** Volumes usable at a node: the caller's own and those of every group above the node. */
  public List<VolumeRow> availableAt(Caller caller, long nodeId) {
    return transactions.read(
        c -> {
          authorization.require(c, caller, nodeId, Role.VIEWER, "see this node's volumes");
          long user = parties.user(c, caller.name()).map(Party::id).orElse(-1L);
          return volumes.availableAt(c, user, nodeId);
        });
  }

  /** Volumes whose affinity pins them to the named cluster node (platform administrators). */
  public List<VolumeRow> pinnedTo(Caller caller, String nodeName) {
    requirePlatformAdmin(caller);
    return transactions.read(c -> volumes.pinnedToNode(c, nodeName));
  }

  public void delete(Caller caller, long id) {
    VolumeRow volume =
        transactions.write(
            caller.name(),
            c -> {
              VolumeRow found = visible(c, caller, id);
              requireManage(c, caller, parties.byId(c, found.ownerPartyId()).orElseThrow());
              volumes.delete(c, id);
              reconciler.enqueue(c, id);
              return found;
            });
  }

  /** Binds the volume into the node's namespace. */
  public VolumeRow attach(Caller caller, long id, long nodeId) {
    VolumeRow attached =
        transactions.write(
            caller.name(),
            c -> {
              VolumeRow volume = visible(c, caller, id);
              Party owner = parties.byId(c, volume.ownerPartyId()).orElseThrow();
              requireManage(c, caller, owner);
              authorization.require(c, caller, nodeId, Role.MEMBER, "attach volumes here");
              if (owner.kind() == Party.Kind.USER && !memberAt(c, owner, nodeId)) {
                throw new VolumeForbidden(
                    "A user's volume attaches only where that user is a member; "
                        + owner.name()
                        + " is not.");
              }
              volumes.attach(c, id, nodeId);
              reconciler.enqueue(c, id);
              return volumes.find(c, id).orElseThrow();
            });
    return attached;
  }

  public void detach(Caller caller, long id, long nodeId) {
    VolumeRow volume =
        transactions.write(
            caller.name(),
            c -> {
              VolumeRow found = visible(c, caller, id);
              requireManage(c, caller, parties.byId(c, found.ownerPartyId()).orElseThrow());
              if (!volumes.detach(c, id, nodeId)) {
                throw new VolumeNotFound(id);
              }
              reconciler.enqueue(c, id);
              return found;
            });
  }

  /** The PV (and PVC, if attached) Rota applies for the volume, as YAML. */
  public String manifests(Caller caller, long id) {
    VolumeRow volume = get(caller, id);
    return VolumeManifests.yaml(
        volume, volume.attachedNodeId() == null ? null : NamespaceName.of(volume.attachedNodeId()));
  }

  /**
   * Sets a pool's allowed root. A pool the cluster has no node of is refused unless {@code
   * allowUnknown} says the administrator means it (nodes that join later); a root that is, holds or
   * lies under a system path is refused naming that path (the database's CHECK says the same).
   */
  public void setPoolRoot(Caller caller, String pool, HostPath root, boolean allowUnknown) {
    requirePlatformAdmin(caller);
    if (!allowUnknown
        && kubernetes.nodes().withLabel(POOL_LABEL, pool).list().getItems().isEmpty()) {
      throw new PoolRootRefused(
          "The cluster has no node in pool '"
              + pool
              + "' (label "
              + POOL_LABEL
              + "). Check the name, or add ?allowUnknown=true to set the root of a pool whose"
              + " nodes join later.");
    }
    transactions.write(
        caller.name(),
        c -> {
          Optional<String> system = volumes.systemPathInTheWay(c, root.value());
          if (system.isPresent()) {
            throw new PoolRootRefused(
                "The root '"
                    + root.value()
                    + "' is, contains or lies under the system path '"
                    + system.get()
                    + "'; choose a directory that holds only data, such as /data or /mnt/data.");
          }
          volumes.setPoolRoot(c, pool, root.value());
          return null;
        });
  }

  /**
   * The pools' allowed roots, which users need to choose a hostPath: for platform administrators
   * and for anyone who is at least a member somewhere (who can attach a volume); nobody else.
   */
  public List<String[]> poolRoots(Caller caller) {
    return transactions.read(
        c -> {
          if (!caller.platformAdmin()
              && !volumes.memberAnywhere(c, parties.actingParties(c, caller.name()))) {
            throw new VolumeForbidden(
                "Pool roots are shown to platform administrators and to members of a project or"
                    + " group.");
          }
          return volumes.poolRoots(c);
        });
  }

  /**
   * The nodes the selector picks must all be in the volume's pool: the path is checked against that
   * pool's root and the overlaps on those nodes, so a PV that could land on another pool's node
   * would escape both.
   */
  private static void requireInPool(String pool, List<Node> cluster, List<String> picked) {
    List<String> outside =
        cluster.stream()
            .filter(node -> picked.contains(node.getMetadata().getName()))
            .filter(node -> !pool.equals(poolOf(node)))
            .map(node -> node.getMetadata().getName())
            .sorted()
            .toList();
    if (outside.size() == picked.size()) {
      throw new VolumeOutsidePool(
          "nodeAffinity matches no node of pool '"
              + pool
              + "' (it matches only "
              + String.join(", ", outside)
              + ", of other pools); select nodes labelled "
              + POOL_LABEL
              + "="
              + pool
              + ".");
    }
    if (!outside.isEmpty()) {
      throw new VolumeOutsidePool(
          "nodeAffinity also matches nodes outside pool '"
              + pool
              + "': "
              + String.join(", ", outside)
              + "; add the expression {\"key\":\""
              + POOL_LABEL
              + "\",\"operator\":\"In\",\"values\":[\""
              + pool
              + "\"]} to each term.");
    }
  }

  private static String poolOf(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? null : labels.get(POOL_LABEL);
  }

  private Party owner(Connection c, Caller caller, NewVolume request) {
    if (request.ownerUser() != null && request.ownerGroup() != null) {
      throw new InvalidVolume("Name at most one owner: a user or a group.");
    }
    if (request.ownerGroup() != null) {
      return parties
          .groupByPath(c, request.ownerGroup())
          .orElseThrow(() -> new NodeNotFound("group " + request.ownerGroup()));
    }
    String user = request.ownerUser() != null ? request.ownerUser() : caller.name();
    return parties
        .user(c, user)
        .orElseThrow(() -> new InvalidVolume("There is no user " + user + " to own the volume."));
  }

  /** 404 unless the caller owns the volume, can see its group, or administers the platform. */
  private VolumeRow visible(Connection c, Caller caller, long id) throws SQLException {
    VolumeRow volume = volumes.find(c, id).orElseThrow(() -> new VolumeNotFound(id));
    if (caller.platformAdmin()) {
      return volume;
    }
    Party owner = parties.byId(c, volume.ownerPartyId()).orElseThrow();
    boolean sees =
        owner.kind() == Party.Kind.USER
            ? owner.name().equals(caller.name())
            : authorization.effectiveRole(c, caller, owner.groupNodeId()).isPresent();
    if (!sees) {
      throw new VolumeNotFound(id);
    }
    return volume;
  }

  private void requireManage(Connection c, Caller caller, Party owner) {
    if (caller.platformAdmin()) {
      return;
    }
    if (owner.kind() == Party.Kind.USER) {
      if (!owner.name().equals(caller.name())) {
        throw new VolumeForbidden("Only " + owner.name() + " manages their own volumes.");
      }
    } else {
      authorization.require(
          c, caller, owner.groupNodeId(), Role.ADMIN, "manage this group's volumes");
    }
  }

  private boolean memberAt(Connection c, Party user, long nodeId) {
    Caller asOwner = new Caller(user.name(), user.name(), null, Set.of(), false);
    return authorization
        .effectiveRole(c, asOwner, nodeId)
        .map(r -> r.atLeast(Role.MEMBER))
        .orElse(false);
  }

  private static void requirePlatformAdmin(Caller caller) {
    if (!caller.platformAdmin()) {
      throw new VolumeForbidden("Only platform administrators do this.");
    }
  }
}
