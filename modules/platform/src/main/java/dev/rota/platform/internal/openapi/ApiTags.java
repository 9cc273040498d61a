package dev.rota.platform.internal.openapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.tags.Tag;

/**
 * The contract's tags, one per module, declared once with their description. Resources only name
 * them ({@code @Tag(name = "Tenancy")}); a tag a resource names that is not declared here stays in
 * the document without a description, which the lint reports.
 */
final class ApiTags {

  /** Tag name to description, in the order the contract lists them. */
  static final Map<String, String> DECLARED = new LinkedHashMap<>();

  static {
    DECLARED.put("Platform", "Who the caller is: the identity Rota reads from the bearer token.");
    DECLARED.put(
        "Tenancy",
        "The tenancy tree of groups, projects and subprojects; users, group members, role"
            + " bindings, GPU quotas and the audit trail.");
    DECLARED.put(
        "Configuration",
        "Versioned configuration per node: commits, branches and tags, history, diffs, reverts"
            + " and the effective configuration a node inherits.");
    DECLARED.put(
        "Storage", "Storage pools and volumes, and attaching volumes to projects' namespaces.");
    DECLARED.put("Scheduling", "Calendars and booked GPU windows.");
    DECLARED.put("Queue", "Node pools, priority classes and the preemptive GPU task queue.");
  }

  private ApiTags() {}

  /**
   * Replaces the document's tags with the declared ones, in declaration order, keeping any other
   * tag a resource names (sorted after them) so that nothing disappears silently.
   */
  static void declare(OpenAPI openAPI) {
    List<Tag> tags = new ArrayList<>();
    DECLARED.forEach(
        (name, description) ->
            tags.add(OASFactory.createTag().name(name).description(description)));
    if (openAPI.getTags() != null) {
      openAPI.getTags().stream()
          .filter(tag -> !DECLARED.containsKey(tag.getName()))
          .sorted((a, b) -> a.getName().compareTo(b.getName()))
          .forEach(tags::add);
    }
    openAPI.setTags(tags);
  }
}
