package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.JsonText;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * YAML to JSON-P values and back, through the Jackson 3 YAML dataformat that fabric8 already
 * brings. Reading takes exactly one YAML document whose values JSON can hold: numbers keep every
 * digit; anchors and aliases, tags such as {@code !!binary}, non-finite numbers ({@code .inf}) and
 * duplicate keys are refused with 400, never silently changed. Writing quotes every string, so that
 * {@code "yes"} or {@code "123"} read back as strings.
 */
final class YamlText {

  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(YAMLWriteFeature.WRITE_DOC_START_MARKER).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private YamlText() {}

  static JsonValue read(String text) {
    try (JsonParser parser = YAML.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new InvalidDocument("The YAML body is empty; send one YAML document.");
      }
      JsonValue value = value(parser, first);
      if (parser.nextToken() != null) {
        throw new InvalidDocument("The body holds more than one YAML document; send exactly one.");
      }
      return value;
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new InvalidDocument("Malformed YAML" + where + ": " + e.getOriginalMessage());
    }
  }

  private static JsonValue value(JsonParser parser, JsonToken token) {
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      throw new InvalidDocument("YAML aliases (*name) are not supported; write the value out.");
    }
    switch (token) {
      case START_OBJECT -> {
        JsonObjectBuilder object = JsonText.PROVIDER.createObjectBuilder();
        Set<String> keys = new HashSet<>();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_OBJECT;
            next = parser.nextToken()) {
          String key = parser.currentName();
          if (!keys.add(key)) {
            throw new InvalidDocument("The YAML mapping has the key '" + key + "' twice.");
          }
          object.add(key, value(parser, parser.nextToken()));
        }
        return object.build();
      }
      case START_ARRAY -> {
        JsonArrayBuilder array = JsonText.PROVIDER.createArrayBuilder();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_ARRAY;
            next = parser.nextToken()) {
          array.add(value(parser, next));
        }
        return array.build();
      }
      case VALUE_STRING -> {
        return JsonText.PROVIDER.createValue(parser.getString());
      }
      case VALUE_NUMBER_INT -> {
        return JsonText.PROVIDER.createValue(parser.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        String text = parser.getString().toLowerCase();
        if (text.contains("inf") || text.contains("nan")) {
          throw new InvalidDocument("YAML's .inf and .nan have no JSON equivalent.");
        }
        return JsonText.PROVIDER.createValue(parser.getDecimalValue());
      }
      case VALUE_TRUE -> {
        return JsonValue.TRUE;
      }
      case VALUE_FALSE -> {
        return JsonValue.FALSE;
      }
      case VALUE_NULL -> {
        return JsonValue.NULL;
      }
      default ->
          throw new InvalidDocument(
              "The YAML holds a value JSON cannot (a tag such as !!binary?); use plain scalars, mappings and sequences.");
    }
  }

  static String write(JsonValue value) {
    return YAML.writeValueAsString(node(value));
  }

  private static JsonNode node(JsonValue value) {
    switch (value.getValueType()) {
      case OBJECT -> {
        ObjectNode object = NODES.objectNode();
        JsonObject json = (JsonObject) value;
        for (String key : CanonicalJson.sortedKeys(json)) {
          object.set(key, node(json.get(key)));
        }
        return object;
      }
      case ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        ((JsonArray) value).forEach(element -> array.add(node(element)));
        return array;
      }
      case STRING -> {
        return NODES.stringNode(((JsonString) value).getString());
      }
      case NUMBER -> {
        BigDecimal number = ((JsonNumber) value).bigDecimalValue();
        return number.scale() <= 0 && number.precision() - number.scale() < 19
            ? NODES.numberNode(number.longValueExact())
            : NODES.numberNode(number);
      }
      case TRUE -> {
        return NODES.booleanNode(true);
      }
      case FALSE -> {
        return NODES.booleanNode(false);
      }
      default -> {
        return NODES.nullNode();
      }
    }
  }
}
