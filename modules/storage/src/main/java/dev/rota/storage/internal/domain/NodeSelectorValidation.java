package dev.rota.storage.internal.domain;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks the Kubernetes API server makes on a NodeSelector (ValidateNodeSelector, with strict
 * field validation), on the raw JSON so that a wrong type is reported as such: at least one term,
 * each with match expressions; a qualified-name key; a known operator; values as the operator needs
 * them (In/NotIn at least one, Exists/DoesNotExist none, Gt/Lt exactly one integer), each a valid
 * label value. Rota does not support matchFields.
 */
final class NodeSelectorValidation {

  private static final Set<String> OPERATORS =
      Set.of("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt");
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_PROBLEMS = 10;

  private final List<String> problems = new ArrayList<>();

  private NodeSelectorValidation() {}

  /** Every problem, each as "field path: what is wrong"; empty when the selector is valid. */
  static List<String> problems(JsonValue selector) {
    NodeSelectorValidation validation = new NodeSelectorValidation();
    validation.selector(selector);
    List<String> found = validation.problems;
    return found.size() <= MAX_PROBLEMS ? found : found.subList(0, MAX_PROBLEMS);
  }

  private void selector(JsonValue value) {
    String at = "nodeAffinity";
    JsonObject selector = object(value, at);
    if (selector == null) {
      return;
    }
    onlyFields(selector, at, Set.of("nodeSelectorTerms"));
    JsonArray terms = array(selector.get("nodeSelectorTerms"), at + ".nodeSelectorTerms", true);
    if (terms == null) {
      return;
    }
    if (terms.isEmpty()) {
      problem(at + ".nodeSelectorTerms", "must have at least one term");
    }
    for (int i = 0; i < terms.size(); i++) {
      term(terms.get(i), at + ".nodeSelectorTerms[" + i + "]");
    }
  }

  private void term(JsonValue value, String at) {
    JsonObject term = object(value, at);
    if (term == null) {
      return;
    }
    onlyFields(term, at, Set.of("matchExpressions", "matchFields"));
    JsonArray fields = array(term.get("matchFields"), at + ".matchFields", false);
    if (fields != null && !fields.isEmpty()) {
      problem(at + ".matchFields", "is not supported by Rota; select nodes by their labels");
    }
    JsonArray expressions = array(term.get("matchExpressions"), at + ".matchExpressions", true);
    if (expressions == null) {
      return;
    }
    if (expressions.isEmpty()) {
      problem(at + ".matchExpressions", "must have at least one expression");
    }
    for (int j = 0; j < expressions.size(); j++) {
      requirement(expressions.get(j), at + ".matchExpressions[" + j + "]");
    }
  }

  private void requirement(JsonValue value, String at) {
    JsonObject requirement = object(value, at);
    if (requirement == null) {
      return;
    }
    onlyFields(requirement, at, Set.of("key", "operator", "values"));
    String key = string(requirement.get("key"), at + ".key");
    if (key != null && !qualifiedName(key)) {
      problem(
          at + ".key",
          "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63"
              + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    }
    String operator = string(requirement.get("operator"), at + ".operator");
    if (operator != null && !OPERATORS.contains(operator)) {
      problem(at + ".operator", "must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt");
    }
    List<String> values = values(requirement.get("values"), at + ".values");
    if (operator == null || values == null) {
      return;
    }
    switch (operator) {
      case "In", "NotIn" -> {
        if (values.isEmpty()) {
          problem(at + ".values", "must have at least one value when operator is " + operator);
        }
        for (int k = 0; k < values.size(); k++) {
          String text = values.get(k);
          if (!text.isEmpty() && (text.length() > 63 || !NAME.matcher(text).matches())) {
            problem(
                at + ".values[" + k + "]",
                "must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and"
                    + " ending with a letter or digit");
          }
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (!values.isEmpty()) {
          problem(at + ".values", "must be empty when operator is " + operator);
        }
      }
      case "Gt", "Lt" -> {
        if (values.size() != 1) {
          problem(at + ".values", "must have exactly one value when operator is " + operator);
        } else if (!integer(values.get(0))) {
          problem(at + ".values[0]", "must be an integer when operator is " + operator);
        }
      }
      default -> {}
    }
  }

  /** The values as strings; null when they are not an array of strings. */
  private List<String> values(JsonValue value, String at) {
    if (value == null || value == JsonValue.NULL) {
      return List.of();
    }
    JsonArray array = array(value, at, false);
    if (array == null) {
      return null;
    }
    List<String> values = new ArrayList<>();
    for (int k = 0; k < array.size(); k++) {
      String text = string(array.get(k), at + "[" + k + "]");
      if (text == null) {
        return null;
      }
      values.add(text);
    }
    return values;
  }

  private static boolean qualifiedName(String key) {
    String[] parts = key.split("/", -1);
    if (parts.length > 2) {
      return false;
    }
    String name = parts[parts.length - 1];
    boolean nameValid = name.length() <= 63 && NAME.matcher(name).matches();
    if (parts.length == 1) {
      return nameValid;
    }
    String prefix = parts[0];
    return nameValid && prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches();
  }

  private static boolean integer(String text) {
    try {
      Long.parseLong(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private JsonObject object(JsonValue value, String at) {
    if (value == null || value == JsonValue.NULL) {
      problem(at, "is required");
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      problem(at, "must be an object, not " + typeName(value));
      return null;
    }
    return value.asJsonObject();
  }

  private JsonArray array(JsonValue value, String at, boolean required) {
    if (value == null || value == JsonValue.NULL) {
      if (required) {
        problem(at, "is required");
      }
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.ARRAY) {
      problem(at, "must be an array, not " + typeName(value));
      return null;
    }
    return value.asJsonArray();
  }

  private String string(JsonValue value, String at) {
    if (value == null || value == JsonValue.NULL) {
      problem(at, "is required");
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.STRING) {
      problem(at, "must be a string, not " + typeName(value));
      return null;
    }
    return ((JsonString) value).getString();
  }

  private void onlyFields(JsonObject object, String at, Set<String> known) {
    object.keySet().stream()
        .filter(field -> !known.contains(field))
        .sorted()
        .forEach(
            field ->
                problem(
                    at + "." + (field.length() <= 40 ? field : field.substring(0, 40) + "..."),
                    "is not a field of this object"));
  }

  private void problem(String field, String message) {
    problems.add(field + " " + message);
  }

  private static String typeName(JsonValue value) {
    return switch (value.getValueType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
    };
  }
}
