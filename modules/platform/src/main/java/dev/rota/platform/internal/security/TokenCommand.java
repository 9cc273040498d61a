package dev.rota.platform.internal.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./rota token NAME [--admin] [--group G]... [--ttl HOURS]}: prints a development bearer
 * token for NAME, signed with the key pair of the local Rota's data directory.
 */
public final class TokenCommand {

  private TokenCommand() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      System.err.println("usage: rota token NAME [--admin] [--group GROUP]... [--ttl HOURS]");
      System.exit(2);
    }
    String user = args[0];
    List<String> groups = new ArrayList<>();
    Duration lifetime = Duration.ofHours(8);
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--admin" -> groups.add(setting("ROTA_SECURITY_ADMIN_GROUP", "rota-admin"));
        case "--group" -> groups.add(args[++i]);
        case "--ttl" -> lifetime = Duration.ofHours(Long.parseLong(args[++i]));
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    Path dataDir = Path.of(setting("ROTA_DATA_DIR", System.getProperty("user.home") + "/.rota"));
    DevelopmentKeys keys = new DevelopmentKeys(dataDir);
    keys.ensureExist();
    String issuer = setting("ROTA_JWT_ISSUER", "https://rota.local/dev");
    System.out.println(new TokenMinter(keys.privateKey(), issuer).mint(user, groups, lifetime));
  }

  private static String setting(String environmentVariable, String fallback) {
    String value = System.getenv(environmentVariable);
    return value == null || value.isBlank() ? fallback : value;
  }
}
