package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import jakarta.json.JsonConfig;
import jakarta.json.JsonException;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.util.Map;

/** Reads JSON text strictly: one value, duplicate member names refused (I-JSON, RFC 7493). */
public final class JsonText {

  /** JSON-P, looked up once: {@code Json.create...} looks the provider up on every call. */
  public static final JsonProvider PROVIDER = JsonProvider.provider();

  private static final JsonReaderFactory STRICT =
      PROVIDER.createReaderFactory(Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));

  private JsonText() {}

  /** The value of a client's JSON text; malformed text is the client's mistake, said where. */
  public static JsonValue parse(String text) {
    try (var reader = STRICT.createReader(new StringReader(text))) {
      return reader.readValue();
    } catch (JsonParsingException e) {
      throw new InvalidDocument(
          "Malformed JSON at line "
              + e.getLocation().getLineNumber()
              + ", column "
              + e.getLocation().getColumnNumber()
              + ": "
              + e.getMessage());
    } catch (JsonException e) {
      throw new InvalidDocument("Malformed JSON: " + e.getMessage());
    }
  }
}
