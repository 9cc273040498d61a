package dev.rota.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The messages.log of the Liberty server the Arquillian tests run against. */
final class ServerLog {

  private ServerLog() {}

  static String read() {
    Path log =
        Path.of(System.getProperty("rota.it.war", "target/deployments/rota.war"))
            .getParent()
            .getParent()
            .resolve(
                "liberty/wlp/usr/servers/"
                    + System.getProperty("rota.it.server-name", "rotaIT")
                    + "/logs/messages.log");
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
