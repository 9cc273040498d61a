package dev.rota.platform.internal.ratelimit;

import io.github.bucket4j.Bandwidth;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of caller's limit: a token bucket holding at most {@code burst} requests, refilled
 * continuously at {@code requests} per {@code period}.
 *
 * @param name the policy's name in the {@code RateLimit} headers ({@code user}, {@code anonymous})
 * @param requests how many requests the bucket regains per period
 * @param period the period of the sustained rate
 * @param burst how many requests a caller with a full bucket may send at once
 */
public record RatePolicy(String name, long requests, Duration period, long burst) {

  private static final Pattern RATE =
      Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(s|sec|second|m|min|minute|h|hour)\\s*");

  public RatePolicy {
    if (requests < 1 || burst < 1 || period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException(
          "rate limit " + name + ": the rate and the burst must be at least 1");
    }
  }

  /**
   * The policy for a rate written as {@code 20/s}, {@code 600/min} or {@code 5000/h}.
   *
   * @throws IllegalArgumentException naming the setting when the rate is written otherwise
   */
  public static RatePolicy parse(String name, String rate, long burst) {
    Matcher m = RATE.matcher(rate == null ? "" : rate.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "rota.rate-limit."
              + name
              + ".rate is '"
              + rate
              + "'; write it as requests per unit: 20/s, 600/min or 5000/h");
    }
    Duration period =
        switch (m.group(2).charAt(0)) {
          case 's' -> Duration.ofSeconds(1);
          case 'm' -> Duration.ofMinutes(1);
          default -> Duration.ofHours(1);
        };
    return new RatePolicy(name, Long.parseLong(m.group(1)), period, burst);
  }

  /** The Bucket4j limit: capacity {@code burst}, refilled greedily (token by token). */
  Bandwidth bandwidth() {
    return Bandwidth.builder().capacity(burst).refillGreedy(requests, period).build();
  }

  /**
   * Seconds in which an empty bucket fills up again: the window {@code w} of the {@code
   * RateLimit-Policy} header, so that {@code q/w} (burst per window) is the sustained rate.
   */
  long windowSeconds() {
    long nanos = Math.multiplyExact(period.toNanos() / requests, burst);
    return Math.max(1, ceilSeconds(nanos));
  }

  /**
   * The {@code RateLimit-Policy} member of this policy (draft-ietf-httpapi-ratelimit-headers-10).
   */
  String policyHeader() {
    return "\"" + name + "\";q=" + burst + ";w=" + windowSeconds();
  }

  static long ceilSeconds(long nanos) {
    return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
