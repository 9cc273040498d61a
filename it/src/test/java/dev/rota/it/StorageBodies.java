package dev.rota.it;

import jakarta.json.Json;
import java.io.StringReader;

/** Request bodies the storage tests send: a node, and a volume of pool-a. */
final class StorageBodies {

  /** A nodeAffinity that pins a volume to gpu-node-01. */
  static final String ON_NODE_01 =
      "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
          + "\"operator\":\"In\",\"values\":[\"gpu-node-01\"]}]}]}";

  private StorageBodies() {}

  static String node(String kind, Long parent, String name) {
    var body = Json.createObjectBuilder().add("kind", kind).add("name", name);
    if (parent != null) {
      body.add("parentId", parent);
    }
    return body.build().toString();
  }

  static String volume(String name, String group, String path) {
    return volume(name, group, path, ON_NODE_01);
  }

  /** A volume of pool-a; {@code affinity} is any JSON text, so tests can send wrong shapes. */
  static String volume(String name, String group, String path, String affinity) {
    var body =
        Json.createObjectBuilder()
            .add("name", name)
            .add("pool", "pool-a")
            .add("hostPath", path)
            .add("capacity", "100Gi")
            .add("accessMode", "ReadWriteOnce")
            .add("nodeAffinity", Json.createReader(new StringReader(affinity)).readValue());
    if (group != null) {
      body.add("ownerGroup", group);
    }
    return body.build().toString();
  }
}
