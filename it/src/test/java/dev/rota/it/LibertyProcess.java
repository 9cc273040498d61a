package dev.rota.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Rota server of its own, started as a separate process from the Liberty runtime the build
 * installed for the Arquillian tests: its directory is a copy of that server's (server.xml, JVM
 * options, the JDBC driver) with the real WAR in dropins. Started and stopped with {@code
 * bin/server}; {@link #kill()} is a {@code kill -9} of its JVM.
 */
final class LibertyProcess {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final Path wlp;
  private final String name;
  private final int httpPort;

  private LibertyProcess(Path wlp, String name, int httpPort) {
    this.wlp = wlp;
    this.name = name;
    this.httpPort = httpPort;
  }

  /** The Liberty installation the build made for the ITs, next to the WAR under it/target. */
  static Path installedRuntime() {
    return war().getParent().getParent().resolve("liberty/wlp");
  }

  static Path war() {
    return Path.of(System.getProperty("rota.it.war", "target/deployments/rota.war"))
        .toAbsolutePath();
  }

  /** Creates server {@code name} afresh as a copy of the IT server, with the WAR in dropins. */
  static LibertyProcess create(String name, int httpPort) {
    Path wlp = installedRuntime();
    Path servers = wlp.resolve("usr/servers");
    Path template = servers.resolve(System.getProperty("rota.it.server-name", "rotaIT"));
    Path server = servers.resolve(name);
    try {
      deleteTree(server);
      try (Stream<Path> files = Files.walk(template)) {
        for (Path from : (Iterable<Path>) files::iterator) {
          Path relative = template.relativize(from);
          String first = relative.getNameCount() > 0 ? relative.getName(0).toString() : "";
          if (first.equals("logs")
              || first.equals("workarea")
              || first.equals("dropins")
              || first.equals("apps")) {
            continue; // the IT server's state and deployments are not ours
          }
          Path to = server.resolve(relative.toString());
          if (Files.isDirectory(from)) {
            Files.createDirectories(to);
          } else {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      Files.createDirectories(server.resolve("dropins"));
      Files.copy(war(), server.resolve("dropins/rota.war"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the Liberty server " + name, e);
    }
    return new LibertyProcess(wlp, name, httpPort);
  }

  String name() {
    return name;
  }

  String baseUrl() {
    return "http://localhost:" + httpPort;
  }

  /** {@code bin/server start}, which returns once the JVM runs; readiness is awaited separately. */
  void start(Map<String, String> environment) {
    ProcessBuilder start =
        new ProcessBuilder(wlp.resolve("bin/server").toString(), "start", name)
            .redirectErrorStream(true)
            .redirectOutput(wlp.resolve("usr/servers/" + name + "-start.out").toFile());
    start.environment().remove("ROTA_DB_EMBEDDED_PORT");
    start.environment().putAll(environment);
    run(start, Duration.ofMinutes(3));
  }

  /** Waits until /health/ready answers 200; returns when it did. */
  Instant awaitReady(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      Optional<HttpResponse<String>> ready = get("/health/ready");
      if (ready.isPresent() && ready.get().statusCode() == 200) {
        return Instant.now();
      }
      last = ready.map(r -> r.statusCode() + " " + r.body()).orElse(last);
      if (pid().isPresent() && !alive()) {
        throw new AssertionError("Server " + name + " died while starting:\n" + log());
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "Server " + name + " not ready after " + timeout + ": " + last + "\n" + log());
  }

  boolean ready() {
    return get("/health/ready").map(r -> r.statusCode() == 200).orElse(false);
  }

  private Optional<HttpResponse<String>> get(String path) {
    try {
      return Optional.of(
          HTTP.send(
              HttpRequest.newBuilder(URI.create(baseUrl() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The JVM's pid, as Liberty wrote it at start. */
  Optional<Long> pid() {
    Path file = wlp.resolve("usr/servers/.pid/" + name + ".pid");
    try {
      return Files.exists(file)
          ? Optional.of(Long.parseLong(Files.readString(file).trim()))
          : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  boolean alive() {
    return pid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
  }

  /** {@code kill -9}: the JVM ends at once, without shutdown hooks, holding whatever it held. */
  void kill() throws InterruptedException {
    Optional<ProcessHandle> process = pid().flatMap(ProcessHandle::of);
    if (process.isPresent()) {
      process.get().destroyForcibly();
      process.get().onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  /** Stops the server gracefully, then forcibly if its JVM still runs; leaves no process. */
  void stop() {
    try {
      if (alive()) {
        run(
            new ProcessBuilder(wlp.resolve("bin/server").toString(), "stop", name)
                .redirectErrorStream(true)
                .redirectOutput(wlp.resolve("usr/servers/" + name + "-stop.out").toFile()),
            Duration.ofSeconds(90));
      }
    } finally {
      pid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).ifPresent(this::forceEnd);
    }
  }

  private void forceEnd(ProcessHandle process) {
    process.destroyForcibly();
    process.onExit().orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** The tail of the server's messages.log, for failure messages. */
  String log() {
    Path log = wlp.resolve("usr/servers/" + name + "/logs/messages.log");
    try {
      String text = Files.exists(log) ? Files.readString(log) : "(no messages.log)";
      return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
    } catch (IOException e) {
      return "(unreadable messages.log: " + e.getMessage() + ")";
    }
  }

  Path messagesLog() {
    return wlp.resolve("usr/servers/" + name + "/logs/messages.log");
  }

  private static void run(ProcessBuilder command, Duration timeout) {
    try {
      Process process = command.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
