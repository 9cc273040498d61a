package dev.rota.configvcs.internal.rest;

import dev.rota.configvcs.internal.domain.JsonText;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/** Writes a {@link ConfigDocument} as canonical JSON, or as YAML when the client asks for it. */
@Provider
@Produces({MediaType.APPLICATION_JSON, YamlProvider.YAML})
public class ConfigDocumentWriter implements MessageBodyWriter<ConfigDocument> {

  @Override
  public boolean isWriteable(
      Class<?> type, Type generic, Annotation[] annotations, MediaType media) {
    return type == ConfigDocument.class;
  }

  @Override
  public void writeTo(
      ConfigDocument document,
      Class<?> type,
      Type generic,
      Annotation[] annotations,
      MediaType media,
      MultivaluedMap<String, Object> headers,
      OutputStream out)
      throws IOException {
    String text =
        YamlProvider.isYaml(media)
            ? YamlText.write(JsonText.parse(document.canonical()))
            : document.canonical();
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
