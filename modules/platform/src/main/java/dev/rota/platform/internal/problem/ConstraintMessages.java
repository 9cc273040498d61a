package dev.rota.platform.internal.problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.Optional;
import java.util.Properties;

/**
 * Human sentences for database constraints, so that a 409 says "a sibling already has this name"
 * rather than quoting an index. Each module ships {@code
 * META-INF/rota/constraint-messages.properties} mapping its constraint names to sentences; a
 * constraint without one gets a generic sentence.
 */
final class ConstraintMessages {

  private static final String RESOURCE = "META-INF/rota/constraint-messages.properties";
  private static final Properties MESSAGES = load();

  private ConstraintMessages() {}

  static Optional<String> describe(String constraint) {
    return constraint == null
        ? Optional.empty()
        : Optional.ofNullable(MESSAGES.getProperty(constraint));
  }

  private static Properties load() {
    Properties all = new Properties();
    try {
      Enumeration<URL> files = ConstraintMessages.class.getClassLoader().getResources(RESOURCE);
      while (files.hasMoreElements()) {
        try (InputStream in = files.nextElement().openStream()) {
          all.load(in);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + RESOURCE, e);
    }
    return all;
  }
}
