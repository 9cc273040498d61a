package dev.rota.platform.internal.problem;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads every JSON request body of every module strictly, before JSON-B binds it: the bytes must be
 * valid UTF-8, the text exactly one JSON value (nothing after it, no key twice in an object), and
 * each number must fit the field it is bound to (no {@code 10.7} for an integer, nothing beyond its
 * range). Anything else is a 400 problem saying what and, where it can, at which line and column.
 * JSON-B's own lenient reading (truncating, ignoring trailing bytes) never sees a body.
 */
@Provider
@Consumes({MediaType.APPLICATION_JSON, "application/*+json"})
public class StrictJsonReader implements MessageBodyReader<Object> {

  private static final JsonProvider JSON = JsonProvider.provider();
  private static final JsonParserFactory PARSERS = JSON.createParserFactory(Map.of());
  private static final Pattern PROPERTY = Pattern.compile("property '?([A-Za-z0-9_$-]+)'?");

  private static volatile Jsonb jsonb;

  @Override
  public boolean isReadable(
      Class<?> type, Type generic, Annotation[] annotations, MediaType media) {
    return type != String.class
        && type != byte[].class
        && type != char[].class
        && !InputStream.class.isAssignableFrom(type)
        && !Reader.class.isAssignableFrom(type)
        && type != File.class
        && !MultivaluedMap.class.isAssignableFrom(type);
  }

  @Override
  public Object readFrom(
      Class<Object> type,
      Type generic,
      Annotation[] annotations,
      MediaType media,
      MultivaluedMap<String, String> headers,
      InputStream in)
      throws IOException {
    byte[] bytes = body(in, headers);
    String text = utf8(bytes);
    JsonValue value = parse(text);
    if (JsonValue.class.isAssignableFrom(type)) {
      if (!type.isInstance(value)) {
        throw new MalformedBody(
            "The request body must be a JSON " + expected(type) + ", not " + kind(value) + ".");
      }
      return value;
    }
    NumberFit.check(value, generic == null ? type : generic);
    try {
      return jsonb().fromJson(text, generic == null ? type : generic);
    } catch (JsonbException e) {
      if (ClientFaults.isServerFault(e)) {
        throw e;
      }
      Matcher property = PROPERTY.matcher(String.valueOf(e.getMessage()));
      throw new MalformedBody(
          "The request body does not have the shape this endpoint reads"
              + (property.find() ? " (at property " + property.group(1) + ")" : "")
              + "; see the operation's request schema in /openapi.");
    }
  }

  /**
   * The body's bytes: exactly Content-Length of them when the client declared it (the container has
   * already refused a declared length over the limit), so that reading never waits on the stream's
   * end as JSON-B's parser never did; to the end of the stream for a chunked body, which {@link
   * BodySizeLimit} bounds.
   */
  private static byte[] body(InputStream in, MultivaluedMap<String, String> headers)
      throws IOException {
    String declared = headers == null ? null : headers.getFirst("Content-Length");
    if (declared != null && declared.strip().matches("[0-9]{1,18}")) {
      long length = Long.parseLong(declared.strip());
      if (length <= Integer.MAX_VALUE - 8) {
        return in.readNBytes((int) length);
      }
    }
    return in.readAllBytes();
  }

  /** Decodes strictly: a malformed or truncated UTF-8 sequence is refused, never replaced. */
  static String utf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new MalformedBody(
          "The request body is not valid UTF-8: byte "
              + offset
              + " (line "
              + line
              + ", byte "
              + (offset - lineStart + 1)
              + " of the line) starts a malformed sequence. Send JSON encoded as UTF-8.");
    }
    return out.flip().toString();
  }

  /** Exactly one JSON value, with nothing but white space after it. */
  static JsonValue parse(String text) {
    if (text.isBlank()) {
      throw new MalformedBody("The request body is empty; send a JSON value.");
    }
    try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
      JsonValue value;
      try {
        value = value(parser, parser.next());
      } catch (JsonParsingException e) {
        throw new MalformedBody(
            "The request body is not well-formed JSON" + where(e.getLocation()) + ": " + reason(e));
      }
      try {
        if (parser.hasNext()) {
          throw trailing(parser.getLocation());
        }
      } catch (JsonParsingException e) {
        throw trailing(e.getLocation());
      }
      return value;
    } catch (jakarta.json.JsonException | java.util.NoSuchElementException e) {
      throw new MalformedBody("The request body is not well-formed JSON: " + reason(e));
    }
  }

  /** The value starting at {@code event}, refusing an object that names a key twice. */
  private static JsonValue value(JsonParser parser, JsonParser.Event event) {
    switch (event) {
      case START_OBJECT -> {
        JsonObjectBuilder object = JSON.createObjectBuilder();
        Set<String> keys = new HashSet<>();
        for (JsonParser.Event next = parser.next();
            next != JsonParser.Event.END_OBJECT;
            next = parser.next()) {
          String key = parser.getString();
          if (!keys.add(key)) {
            throw new MalformedBody(
                "The request body names the key \""
                    + key
                    + "\" twice in one object"
                    + where(parser.getLocation())
                    + "; give each key once.");
          }
          object.add(key, value(parser, parser.next()));
        }
        return object.build();
      }
      case START_ARRAY -> {
        JsonArrayBuilder array = JSON.createArrayBuilder();
        for (JsonParser.Event next = parser.next();
            next != JsonParser.Event.END_ARRAY;
            next = parser.next()) {
          array.add(value(parser, next));
        }
        return array.build();
      }
      default -> {
        return parser.getValue();
      }
    }
  }

  private static MalformedBody trailing(JsonLocation at) {
    return new MalformedBody(
        "The request body has content after its JSON value"
            + where(at)
            + "; send exactly one JSON value.");
  }

  private static String where(JsonLocation at) {
    return at == null || at.getLineNumber() < 0
        ? ""
        : " at line " + at.getLineNumber() + ", column " + at.getColumnNumber();
  }

  /** The parser's own words without its location, which the detail already gives. */
  private static String reason(Exception e) {
    String message = e.getMessage() == null ? "unexpected input" : e.getMessage();
    return message.replaceAll("\\s*(at\\s*)?\\((line no|offset)[^)]*\\)", "").strip();
  }

  private static String expected(Class<?> type) {
    String name = type.getSimpleName().replace("Json", "").toLowerCase();
    return name.equals("value") ? "value" : name;
  }

  private static String kind(JsonValue value) {
    return switch (value.getValueType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
    };
  }

  private static Jsonb jsonb() {
    if (jsonb == null) {
      synchronized (StrictJsonReader.class) {
        if (jsonb == null) {
          jsonb = JsonbBuilder.create();
        }
      }
    }
    return jsonb;
  }
}
