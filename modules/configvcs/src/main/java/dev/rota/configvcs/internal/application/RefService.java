package dev.rota.configvcs.internal.application;

import dev.rota.configvcs.ConfigException.RefNotFound;
import dev.rota.configvcs.ConfigException.RefRefused;
import dev.rota.configvcs.internal.domain.RefName;
import dev.rota.configvcs.internal.persistence.RefRepository;
import dev.rota.configvcs.internal.persistence.RefRow;
import dev.rota.platform.Caller;
import dev.rota.tenancy.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** Branches and tags: viewers list them, admins of the node create and delete them. */
@ApplicationScoped
public class RefService {

  private static final String READ = "read this node's configuration";
  private static final String MANAGE = "manage branches and tags";

  private final RefRepository refs = new RefRepository();
  private final Revisions revisions = new Revisions();

  @Inject ConfigAccess access;

  public RefService() {}

  public RefService(ConfigAccess access) {
    this.access = access;
  }

  /** Up to {@code limit} refs by name after {@code afterName}. */
  public List<RefRow> page(Caller caller, long nodeId, String afterName, int limit) {
    return access.read(
        caller, nodeId, Role.VIEWER, READ, c -> refs.page(c, nodeId, afterName, limit));
  }

  public RefRow get(Caller caller, long nodeId, RefName name) {
    return access.read(
        caller,
        nodeId,
        Role.VIEWER,
        READ,
        c -> refs.find(c, nodeId, name.value()).orElseThrow(() -> new RefNotFound(name.value())));
  }

  /** A new branch or tag at the commit {@code target} (a ref or a hash) names. */
  public RefRow create(Caller caller, long nodeId, RefName name, RefRow.Kind kind, String target) {
    return access.write(
        caller,
        nodeId,
        Role.ADMIN,
        MANAGE,
        c ->
            refs.insert(
                c, nodeId, name.value(), kind, revisions.resolve(c, nodeId, target).hash()));
  }

  /** Deletes a branch or tag; who may not manage the node's refs is answered before main's rule. */
  public RefRow delete(Caller caller, long nodeId, RefName name) {
    return access.write(
        caller,
        nodeId,
        Role.ADMIN,
        MANAGE,
        c -> {
          if (name.isMain()) {
            throw new RefRefused(
                "main is the protected default branch of every repository; it cannot be deleted.");
          }
          return refs.delete(c, nodeId, name.value())
              .orElseThrow(() -> new RefNotFound(name.value()));
        });
  }
}
