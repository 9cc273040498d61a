package dev.rota.platform.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CallerBucketsTest {

  /** A clock the test moves by hand. */
  static final class ManualClock implements TimeMeter {
    long nanos = 1_000_000_000_000L;

    void advance(Duration d) {
      nanos += d.toNanos();
    }

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }

  private final ManualClock clock = new ManualClock();

  private CallerBuckets buckets(String rate, long burst, int maxCallers) {
    return new CallerBuckets(RatePolicy.parse("user", rate, burst), maxCallers, clock);
  }

  @Test
  void a_caller_may_send_a_full_burst_at_once_and_the_next_request_is_refused() {
    CallerBuckets buckets = buckets("10/s", 5, 100);

    for (int i = 4; i >= 0; i--) {
      CallerBuckets.Decision d = buckets.take("alice");
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(i);
    }
    CallerBuckets.Decision refused = buckets.take("alice");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.rateLimitHeader()).isEqualTo("\"user\";r=0;t=1");
  }

  @Test
  void tokens_come_back_at_the_configured_rate_and_never_above_the_burst() {
    CallerBuckets buckets = buckets("60/min", 3, 100);
    IntStream.range(0, 3).forEach(i -> buckets.take("alice"));
    assertThat(buckets.take("alice").allowed()).isFalse();

    clock.advance(Duration.ofMillis(999));
    assertThat(buckets.take("alice").allowed()).isFalse();
    clock.advance(Duration.ofMillis(1));
    CallerBuckets.Decision afterOneSecond = buckets.take("alice");
    assertThat(afterOneSecond.allowed()).isTrue();
    assertThat(afterOneSecond.remaining()).isZero();

    clock.advance(Duration.ofHours(1));
    CallerBuckets.Decision afterAnHour = buckets.take("alice");
    assertThat(afterAnHour.remaining()).isEqualTo(2);
    assertThat(afterAnHour.fullInSeconds()).isEqualTo(1);
  }

  @Test
  void a_refused_caller_is_told_how_long_until_the_next_token() {
    CallerBuckets buckets = buckets("1/min", 1, 100);
    buckets.take("alice");
    clock.advance(Duration.ofSeconds(20));

    CallerBuckets.Decision refused = buckets.take("alice");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).isEqualTo(40);
  }

  @Test
  void one_caller_emptying_their_bucket_leaves_every_other_callers_bucket_full() {
    CallerBuckets buckets = buckets("1/s", 10, 100);
    IntStream.range(0, 50).forEach(i -> buckets.take("flooder"));

    CallerBuckets.Decision bystander = buckets.take("bystander");

    assertThat(buckets.take("flooder").allowed()).isFalse();
    assertThat(bystander.allowed()).isTrue();
    assertThat(bystander.remaining()).isEqualTo(9);
  }

  @Test
  void a_flood_of_new_callers_never_grows_the_map_past_its_bound_and_shares_one_overflow_bucket() {
    CallerBuckets buckets = buckets("1/s", 2, 100);
    buckets.take("known");

    long admittedNewcomers =
        IntStream.range(0, 10_000)
            .mapToObj(i -> buckets.take("10.0." + (i / 256) + "." + (i % 256)))
            .filter(CallerBuckets.Decision::allowed)
            .count();

    assertThat(buckets.size()).isEqualTo(100);
    // 99 got a bucket of their own (2 requests each would pass, they sent 1); every later newcomer
    // shares the overflow bucket, which lets its burst of 2 through.
    assertThat(admittedNewcomers).isEqualTo(99 + 2);
    assertThat(buckets.take("known").allowed()).isTrue();
  }

  @Test
  void full_buckets_are_dropped_when_the_map_is_full_so_new_callers_get_their_own_again() {
    CallerBuckets buckets = buckets("1/s", 2, 10);
    IntStream.range(0, 10).forEach(i -> buckets.take("caller-" + i));
    IntStream.range(0, 5).forEach(i -> buckets.take("busy"));
    assertThat(buckets.size()).isEqualTo(10);

    clock.advance(Duration.ofSeconds(5));
    CallerBuckets.Decision newcomer = buckets.take("newcomer");

    assertThat(buckets.size()).isEqualTo(1);
    assertThat(newcomer.allowed()).isTrue();
    assertThat(newcomer.remaining()).isEqualTo(1);
  }

  @Test
  void the_policy_header_gives_the_burst_as_quota_over_the_seconds_an_empty_bucket_takes_to_fill() {
    assertThat(RatePolicy.parse("user", "20/s", 100).policyHeader())
        .isEqualTo("\"user\";q=100;w=5");
    assertThat(RatePolicy.parse("anonymous", "600/min", 30).policyHeader())
        .isEqualTo("\"anonymous\";q=30;w=3");
    assertThat(RatePolicy.parse("user", "5000/h", 1).policyHeader()).isEqualTo("\"user\";q=1;w=1");
  }

  @Test
  void a_rate_not_written_as_requests_per_unit_is_refused_with_the_setting_named() {
    assertThatThrownBy(() -> RatePolicy.parse("user", "20 per second", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rota.rate-limit.user.rate")
        .hasMessageContaining("20/s, 600/min or 5000/h");
    assertThatThrownBy(() -> RatePolicy.parse("user", "0/s", 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RatePolicy.parse("user", "10/s", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addresses_of_one_ipv6_network_share_a_bucket_key_and_ipv4_addresses_do_not() {
    assertThat(RateLimits.addressKey("2001:db8:1:2::a"))
        .isEqualTo(RateLimits.addressKey("2001:db8:1:2:ffff:0:0:b"))
        .isEqualTo("20010db800010002::/64");
    assertThat(RateLimits.addressKey("2001:db8:1:3::a"))
        .isNotEqualTo(RateLimits.addressKey("2001:db8:1:2::a"));
    assertThat(RateLimits.addressKey("10.0.0.1")).isNotEqualTo(RateLimits.addressKey("10.0.0.2"));
  }
}
