package dev.rota.platform.internal.ratelimit;

import io.github.bucket4j.TimeMeter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import org.eclipse.microprofile.config.Config;

/**
 * The rate limits of this server instance: one bucket per authenticated user and one per client
 * address for unauthenticated calls, with the policies and the bound read from MicroProfile Config
 * ({@code rota.rate-limit.*}).
 */
final class RateLimits {

  private final CallerBuckets users;
  private final CallerBuckets anonymous;

  RateLimits(RatePolicy user, RatePolicy anonymousPolicy, int maxCallers, TimeMeter clock) {
    this.users = new CallerBuckets(user, maxCallers, clock);
    this.anonymous = new CallerBuckets(anonymousPolicy, maxCallers, clock);
  }

  /** The limits as configured, or null when {@code rota.rate-limit.enabled} is false. */
  static RateLimits fromConfig(Config config) {
    if (!config.getOptionalValue("rota.rate-limit.enabled", Boolean.class).orElse(true)) {
      return null;
    }
    return new RateLimits(
        policy(config, "user"),
        policy(config, "anonymous"),
        config.getValue("rota.rate-limit.max-callers", Integer.class),
        TimeMeter.SYSTEM_NANOTIME);
  }

  private static RatePolicy policy(Config config, String kind) {
    return RatePolicy.parse(
        kind,
        config.getValue("rota.rate-limit." + kind + ".rate", String.class),
        config.getValue("rota.rate-limit." + kind + ".burst", Long.class));
  }

  /** Charges one request to the user (by name). */
  CallerBuckets.Decision user(String name) {
    return users.take(name);
  }

  /** Charges one request of an unauthenticated caller to its address. */
  CallerBuckets.Decision anonymous(String remoteAddress) {
    return anonymous.take(addressKey(remoteAddress));
  }

  /**
   * The bucket key of a client address: the address itself for IPv4, the /64 network for IPv6 (a
   * single host usually holds a whole /64, so one machine cannot get a fresh bucket per request by
   * rotating through its addresses).
   */
  static String addressKey(String remoteAddress) {
    if (remoteAddress == null || remoteAddress.indexOf(':') < 0) {
      return String.valueOf(remoteAddress);
    }
    try {
      // An address literal: no name lookup happens.
      byte[] bytes = InetAddress.getByName(remoteAddress).getAddress();
      if (bytes.length == 16) {
        return HexFormat.of().formatHex(Arrays.copyOf(bytes, 8)) + "::/64";
      }
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return remoteAddress;
    }
  }
}
