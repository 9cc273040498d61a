package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.domain.CanonicalJson;
import dev.rota.configvcs.internal.domain.JsonText;
import dev.rota.platform.Page;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * {@code application/yaml} for the configuration endpoints, in and out. A YAML body is read as the
 * JSON it means and bound exactly as a JSON body would be (JSON-B, then Bean Validation); a
 * response is what JSON-B would write, as YAML. Only the types of this module are handled.
 */
@Provider
@Consumes(YamlProvider.YAML)
@Produces(YamlProvider.YAML)
public class YamlProvider implements MessageBodyReader<Object>, MessageBodyWriter<Object> {

  public static final String YAML = "application/yaml";

  private static volatile Jsonb jsonb;

  static boolean isYaml(MediaType media) {
    return media != null && media.isCompatible(MediaType.valueOf(YAML)) && !media.isWildcardType();
  }

  @Override
  public boolean isReadable(
      Class<?> type, Type generic, Annotation[] annotations, MediaType media) {
    return ours(type);
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
    JsonValue value = YamlText.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    if (type.isInstance(value)) {
      return value;
    }
    return jsonb().fromJson(CanonicalJson.write(value), generic);
  }

  @Override
  public boolean isWriteable(
      Class<?> type, Type generic, Annotation[] annotations, MediaType media) {
    return ours(type) && type != ConfigDocument.class;
  }

  @Override
  public void writeTo(
      Object entity,
      Class<?> type,
      Type generic,
      Annotation[] annotations,
      MediaType media,
      MultivaluedMap<String, Object> headers,
      OutputStream out)
      throws IOException {
    JsonValue value =
        entity instanceof JsonValue json ? json : JsonText.parse(jsonb().toJson(entity, generic));
    out.write(YamlText.write(value).getBytes(StandardCharsets.UTF_8));
  }

  /** This module's wire records, pages of them, and JSON-P values. */
  private static boolean ours(Class<?> type) {
    return JsonValue.class.isAssignableFrom(type)
        || type.getName().startsWith(ConfigWire.class.getName())
        || type == Page.class;
  }

  private static Jsonb jsonb() {
    if (jsonb == null) {
      synchronized (YamlProvider.class) {
        if (jsonb == null) {
          jsonb = JsonbBuilder.create();
        }
      }
    }
    return jsonb;
  }
}
