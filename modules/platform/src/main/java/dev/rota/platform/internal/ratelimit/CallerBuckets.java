package dev.rota.platform.internal.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The token buckets of one kind of caller (users, or anonymous client addresses), one per caller
 * key, in memory of this server instance.
 *
 * <p>The map is bounded by {@code maxCallers}. Only full buckets are ever dropped: a caller idle
 * long enough to have refilled their bucket is indistinguishable from a new one, so dropping them
 * changes no decision. When the map is full, at most once a second a sweep drops the full buckets;
 * if it is still full (more distinct callers active at once than the bound, e.g. a flood from many
 * addresses), the newcomers share one overflow bucket of the same policy until room frees up. So
 * memory stays bounded (a few hundred bytes a caller) and callers already known keep their own
 * bucket whatever a flood of new keys does.
 */
final class CallerBuckets {

  private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  private final RatePolicy policy;
  private final int maxCallers;
  private final TimeMeter clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Bucket overflow;
  private final ReentrantLock sweeping = new ReentrantLock();
  private final AtomicLong lastSweep;

  CallerBuckets(RatePolicy policy, int maxCallers, TimeMeter clock) {
    if (maxCallers < 1) {
      throw new IllegalArgumentException("rota.rate-limit.max-callers must be at least 1");
    }
    this.policy = policy;
    this.maxCallers = maxCallers;
    this.clock = clock;
    this.overflow = newBucket();
    this.lastSweep = new AtomicLong(clock.currentTimeNanos() - SWEEP_INTERVAL_NANOS);
  }

  RatePolicy policy() {
    return policy;
  }

  /** Takes one token from the caller's bucket and says whether the request may go ahead. */
  Decision take(String caller) {
    ConsumptionProbe probe = bucketOf(caller).tryConsumeAndReturnRemaining(1);
    return new Decision(
        policy,
        probe.isConsumed(),
        probe.getRemainingTokens(),
        RatePolicy.ceilSeconds(probe.getNanosToWaitForRefill()),
        RatePolicy.ceilSeconds(probe.getNanosToWaitForReset()));
  }

  /** How many callers have a bucket of their own. */
  int size() {
    return buckets.size();
  }

  private Bucket bucketOf(String caller) {
    Bucket bucket = buckets.get(caller);
    if (bucket != null) {
      return bucket;
    }
    if (buckets.size() >= maxCallers) {
      sweep();
      if (buckets.size() >= maxCallers) {
        return overflow;
      }
    }
    return buckets.computeIfAbsent(caller, key -> newBucket());
  }

  /** Drops the full buckets, at most once per interval and by one thread at a time. */
  private void sweep() {
    long now = clock.currentTimeNanos();
    long last = lastSweep.get();
    if (now - last < SWEEP_INTERVAL_NANOS
        || !lastSweep.compareAndSet(last, now)
        || !sweeping.tryLock()) {
      return;
    }
    try {
      buckets.values().removeIf(bucket -> bucket.getAvailableTokens() >= policy.burst());
    } finally {
      sweeping.unlock();
    }
  }

  private Bucket newBucket() {
    return Bucket.builder().addLimit(policy.bandwidth()).withCustomTimePrecision(clock).build();
  }

  /**
   * The outcome of one request against its caller's bucket.
   *
   * @param policy the policy the bucket follows
   * @param allowed whether a token was taken and the request may go ahead
   * @param remaining tokens left in the bucket
   * @param retryAfterSeconds when refused, seconds until a token is available again
   * @param fullInSeconds seconds until the bucket is full again
   */
  record Decision(
      RatePolicy policy,
      boolean allowed,
      long remaining,
      long retryAfterSeconds,
      long fullInSeconds) {

    /** The {@code RateLimit} field (draft-ietf-httpapi-ratelimit-headers-10). */
    String rateLimitHeader() {
      return "\"" + policy.name() + "\";r=" + remaining + ";t=" + fullInSeconds;
    }
  }
}
