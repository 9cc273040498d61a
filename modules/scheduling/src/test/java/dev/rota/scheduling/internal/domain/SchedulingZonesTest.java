package dev.rota.scheduling.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import org.junit.jupiter.api.Test;

/**
 * The assumption scheduling.zone_segments rests on (it probes a zone's offset a day apart): since
 * 1970 no zone of the tz database changes its offset twice within a day, and every change falls on
 * a whole second. Checked against the tz database of this JDK, up to 2100.
 */
class SchedulingZonesTest {

  @Test
  void no_zone_changes_its_offset_twice_within_a_day_or_between_seconds() {
    Instant from = Instant.parse("1970-01-01T00:00:00Z");
    Instant to = Instant.parse("2100-01-01T00:00:00Z");
    Duration shortest = Duration.ofDays(365);
    String where = "";
    for (String id : ZoneId.getAvailableZoneIds()) {
      ZoneRules rules = ZoneId.of(id).getRules();
      Instant previous = null;
      for (ZoneOffsetTransition t = rules.nextTransition(from);
          t != null && t.getInstant().isBefore(to);
          t = rules.nextTransition(t.getInstant())) {
        assertThat(t.getInstant().getNano()).as(id + " " + t).isZero();
        if (previous != null
            && Duration.between(previous, t.getInstant()).compareTo(shortest) < 0) {
          shortest = Duration.between(previous, t.getInstant());
          where = id + " " + t;
        }
        previous = t.getInstant();
      }
    }
    assertThat(shortest)
        .as("shortest gap between two changes, at " + where)
        .isGreaterThan(Duration.ofDays(1));
  }
}
