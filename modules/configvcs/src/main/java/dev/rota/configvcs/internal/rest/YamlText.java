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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * YAML to JSON-P values and back, through the Jackson 3 YAML dataformat that fabric8 already
 * brings. Reading takes exactly one YAML document whose values JSON can hold: numbers keep every
 * digit; anchors and aliases, tags such as {@code !!binary}, non-finite numbers ({@code .inf}) and
 * duplicate keys are refused with 400, never silently changed; plain scalars resolve by the YAML
 * 1.2 core schema. Writing quotes every key and string, so that {@code "yes"} or {@code "123"} read
 * back as strings, and escapes every character YAML does not allow raw.
 */
final class YamlText {

  /**
   * Plain scalars resolve by the YAML 1.2 core schema ({@code ~}, {@code Null}, {@code True},
   * {@code 0x1F}, {@code 0o17}, {@code +12}, {@code .5} are null, booleans and numbers), not by the
   * narrower JSON schema that is the parser's default.
   */
  private static final YAMLMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .loadSettings(LoadSettings.builder().setSchema(new CoreSchema()).build())
                  .build())
          .build();

  private YamlText() {}

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./-]{0,200}");
  private static final Pattern NOT_A_STRING =
      Pattern.compile("null|Null|NULL|true|True|TRUE|false|False|FALSE");

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

  /**
   * Block-style YAML of a JSON value: mappings with their keys in canonical order, every key and
   * string double-quoted, and every character YAML 1.2 does not allow raw (C0 and C1 controls, DEL,
   * NEL, line and paragraph separators, BOM, non-characters, lone surrogates) escaped, so that the
   * text is valid YAML that reads back as the same JSON.
   */
  static String write(JsonValue value) {
    StringBuilder out = new StringBuilder();
    for (String line : lines(value)) {
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static List<String> lines(JsonValue value) {
    List<String> lines = new ArrayList<>();
    if (value instanceof JsonObject object && !object.isEmpty()) {
      for (String key : CanonicalJson.sortedKeys(object)) {
        JsonValue member = object.get(key);
        if (isBlock(member)) {
          lines.add(key(key) + ":");
          lines(member).forEach(line -> lines.add("  " + line));
        } else {
          lines.add(key(key) + ": " + scalar(member));
        }
      }
    } else if (value instanceof JsonArray array && !array.isEmpty()) {
      for (JsonValue element : array) {
        if (isBlock(element)) {
          List<String> nested = lines(element);
          lines.add("- " + nested.get(0));
          nested.subList(1, nested.size()).forEach(line -> lines.add("  " + line));
        } else {
          lines.add("- " + scalar(element));
        }
      }
    } else {
      lines.add(scalar(value));
    }
    return lines;
  }

  /**
   * A key as written: plain when it is a word that reads back as the same string under the core
   * schema (not {@code null}, {@code true}, ...), double-quoted otherwise.
   */
  private static String key(String key) {
    return PLAIN_KEY.matcher(key).matches() && !NOT_A_STRING.matcher(key).matches()
        ? key
        : quoted(key);
  }

  /** A non-empty mapping or sequence, written as a block; everything else fits on one line. */
  private static boolean isBlock(JsonValue value) {
    return (value instanceof JsonObject object && !object.isEmpty())
        || (value instanceof JsonArray array && !array.isEmpty());
  }

  private static String scalar(JsonValue value) {
    return switch (value.getValueType()) {
      case OBJECT -> "{}";
      case ARRAY -> "[]";
      case STRING -> quoted(((JsonString) value).getString());
      case NUMBER -> ((JsonNumber) value).bigDecimalValue().toString();
      case TRUE -> "true";
      case FALSE -> "false";
      case NULL -> "null";
    };
  }

  /**
   * A YAML double-quoted scalar, with YAML 1.2 §5.7 escapes for whatever may not appear raw: the
   * hexadecimal forms (x and u), which every parser reads, also for NEL and the line and paragraph
   * separators.
   */
  static String quoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i)); // a pair: printable above U+FFFF
        continue;
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (printable(c) && c != 0x85 && c != 0x2028 && c != 0x2029) {
            out.append(c);
          } else if (c <= 0xFF) {
            out.append(String.format("\\x%02X", (int) c));
          } else {
            out.append(String.format("\\u%04X", (int) c));
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** YAML 1.2 c-printable within the BMP, less the BOM; surrogates here are unpaired. */
  private static boolean printable(char c) {
    return (c >= 0x20 && c <= 0x7E)
        || (c >= 0xA0 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
  }
}
