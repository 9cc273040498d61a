package dev.rota.it;

import static dev.rota.it.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Calendars and windows over REST with minted tokens: a platform administrator creates a pool's
 * calendar and books maintenance, a project's administrator books its reservations, and the
 * database's refusals come back as 409s that name the window in the way. Each test uses its own
 * calendar and tenancy nodes.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SchedulingIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return Deployments.rota();
  }

  private final RotaClient rota = new RotaClient();
  private final String admin = rota.token("admin");
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private long project;
  private long calendar;
  private String windows;

  @BeforeEach
  void a_project_and_a_berlin_pool() {
    long group =
        RotaClient.id(
            rota.post(
                admin,
                "/api/v1/nodes",
                "{\"kind\":\"group\",\"name\":\"Sched " + suffix + "\",\"guaranteedGpus\":4}"));
    project =
        RotaClient.id(
            rota.post(
                admin,
                "/api/v1/nodes",
                "{\"kind\":\"project\",\"parentId\":"
                    + group
                    + ",\"name\":\"Training\",\"guaranteedGpus\":2}"));
    HttpResponse<String> created =
        rota.post(
            admin,
            "/api/v1/calendars",
            "{\"kind\":\"pool\",\"name\":\"pool-" + suffix + "\",\"timeZone\":\"Europe/Berlin\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("/api/v1/calendars/"));
    calendar = RotaClient.json(created).getJsonNumber("id").longValue();
    windows = "/api/v1/calendars/" + calendar + "/windows";
  }

  @Test
  void weekday_times_and_seconds_book_weekly_windows_that_read_back_both_ways() {
    JsonObject nights =
        RotaClient.ok(
            rota.post(admin, windows, reservation("\"Tue 22:00\"", "\"wednesday 06:00\"")));
    JsonObject sundays =
        RotaClient.ok(
            rota.post(
                admin,
                windows,
                "{\"kind\":\"maintenance\",\"start\":"
                    + (6 * 86_400 + 2 * 3600)
                    + ",\"end\":\"Sun 04:00\",\"label\":\"patching\"}"));

    assertThat(nights.getString("type")).isEqualTo("weekly");
    assertThat(nights.getString("start")).isEqualTo("Tue 22:00");
    assertThat(nights.getString("end")).isEqualTo("Wed 06:00");
    assertThat(nights.getInt("startSecond")).isEqualTo(86_400 + 22 * 3600);
    assertThat(nights.getBoolean("wraps")).isFalse();
    assertThat(sundays.getString("start")).isEqualTo("Sun 02:00");
    JsonObject page = RotaClient.ok(rota.get(admin, windows + "?limit=1"));
    assertThat(page.getJsonArray("items")).hasSize(1);
    JsonObject next =
        RotaClient.ok(rota.get(admin, windows + "?limit=1&cursor=" + page.getString("nextCursor")));
    assertThat(next.getJsonArray("items").getJsonObject(0).getJsonNumber("id").longValue())
        .isEqualTo(sundays.getJsonNumber("id").longValue());
    assertThat(
            RotaClient.ok(rota.get(admin, windows + "/" + nights.getJsonNumber("id")))
                .getString("label"))
        .isEqualTo("nights");
  }

  @Test
  void a_window_over_the_week_end_is_409_against_a_monday_morning_one_naming_it() {
    long monday =
        RotaClient.id(rota.post(admin, windows, reservation("\"Mon 05:00\"", "\"Mon 07:00\"")));

    JsonObject problem =
        assertProblem(
            rota.post(admin, windows, reservation("\"Sat 22:00\"", "\"Mon 06:00\"")),
            409,
            "window-conflict");

    assertThat(problem.getJsonNumber("conflictingWindowId").longValue()).isEqualTo(monday);
    assertThat(problem.getString("constraint")).isEqualTo("windows_no_overlap");
    assertThat(problem.getString("detail")).contains("window " + monday);
    JsonObject wrapping =
        RotaClient.ok(rota.post(admin, windows, reservation("\"Sat 22:00\"", "\"Mon 05:00\"")));
    assertThat(wrapping.getBoolean("wraps")).isTrue();
  }

  @Test
  void a_one_off_maintenance_is_refused_where_a_reservation_holds_the_pool_and_names_it() {
    long nights =
        RotaClient.id(rota.post(admin, windows, reservation("\"Tue 22:00\"", "\"Wed 06:00\"")));

    // Tuesday 2030-01-08 23:00 in Berlin is 22:00 UTC.
    JsonObject problem =
        assertProblem(
            rota.post(admin, windows, oneOff("2030-01-08T22:00:00Z", "2030-01-08T23:00:00Z")),
            409,
            "window-conflict");
    JsonObject maintenance =
        RotaClient.ok(
            rota.post(admin, windows, oneOff("2030-01-09T05:00:00Z", "2030-01-09T07:00:00Z")));

    assertThat(problem.getJsonNumber("conflictingWindowId").longValue()).isEqualTo(nights);
    assertThat(maintenance.getString("type")).isEqualTo("one-off");
    assertThat(Instant.parse(maintenance.getString("from")))
        .isEqualTo(Instant.parse("2030-01-09T05:00:00Z"));
  }

  @Test
  void availability_occurrences_and_free_slots_read_the_calendar_on_its_own_clock() {
    long nights =
        RotaClient.id(rota.post(admin, windows, reservation("\"Sat 22:00\"", "\"Sun 06:00\"")));

    JsonObject held =
        RotaClient.ok(
            rota.get(
                admin, "/api/v1/calendars/" + calendar + "/availability?at=2026-03-29T02:30:00Z"));
    assertThat(held.getString("state")).isEqualTo("reserved");
    assertThat(held.getString("weekTime")).isEqualTo("Sun 04:30");
    assertThat(held.getJsonObject("window").getJsonNumber("id").longValue()).isEqualTo(nights);
    assertThat(
            RotaClient.ok(
                    rota.get(
                        admin,
                        "/api/v1/calendars/" + calendar + "/availability?at=2026-03-29T04:00:00Z"))
                .getString("state"))
        .isEqualTo("free");

    JsonObject spring =
        RotaClient.ok(
            rota.get(
                admin,
                "/api/v1/calendars/" + calendar + "/occurrences?from=2026-03-23&to=2026-03-30"));
    assertThat(spring.getJsonArray("items")).hasSize(1);
    JsonObject occurrence = spring.getJsonArray("items").getJsonObject(0);
    assertThat(OffsetDateTime.parse(occurrence.getString("start")))
        .isEqualTo(OffsetDateTime.parse("2026-03-28T22:00:00+01:00"));
    assertThat(OffsetDateTime.parse(occurrence.getString("end")))
        .isEqualTo(OffsetDateTime.parse("2026-03-29T06:00:00+02:00"));

    JsonObject pattern =
        RotaClient.ok(rota.get(admin, "/api/v1/calendars/" + calendar + "/free-slots?min=PT2H"));
    assertThat(pattern.getJsonArray("slots").getValuesAs(JsonObject.class))
        .extracting(s -> s.getString("start") + "-" + s.getString("end"))
        .containsExactly("Sun 06:00-Sat 22:00");
    JsonObject week =
        RotaClient.ok(
            rota.get(
                admin, "/api/v1/calendars/" + calendar + "/free-slots?min=3600&week=2026-03-25"));
    assertThat(week.getString("week")).isEqualTo("2026-03-23");
    assertThat(week.getJsonArray("slots").getValuesAs(JsonObject.class))
        .extracting(
            s ->
                OffsetDateTime.parse(s.getString("from"))
                    + "/"
                    + OffsetDateTime.parse(s.getString("to")))
        .containsExactly(
            "2026-03-23T00:00+01:00/2026-03-28T22:00+01:00",
            "2026-03-29T06:00+02:00/2026-03-30T00:00+02:00");
  }

  @Test
  void only_the_owners_admins_book_reservations_and_only_platform_administrators_maintenance() {
    String dana = rota.createUser(admin, "dana-" + suffix);
    String eric = rota.createUser(admin, "eric-" + suffix);
    bind(project, dana, "admin");
    bind(project, eric, "member");
    String danaToken = rota.token(dana);
    String ericToken = rota.token(eric);

    long booked =
        RotaClient.id(rota.post(danaToken, windows, reservation("\"Thu 20:00\"", "\"Fri 02:00\"")));
    assertProblem(
        rota.post(ericToken, windows, reservation("\"Fri 20:00\"", "\"Sat 02:00\"")),
        403,
        "forbidden");
    assertProblem(
        rota.post(
            rota.token("stranger-" + suffix),
            windows,
            reservation("\"Fri 20:00\"", "\"Sat 02:00\"")),
        404,
        "node-not-found");
    assertProblem(
        rota.post(
            danaToken,
            windows,
            "{\"kind\":\"maintenance\",\"start\":\"Mon 01:00\",\"end\":\"Mon 02:00\"}"),
        403,
        "forbidden");
    assertProblem(
        rota.post(
            danaToken,
            "/api/v1/calendars",
            "{\"kind\":\"pool\",\"name\":\"mine-" + suffix + "\",\"timeZone\":\"UTC\"}"),
        403,
        "forbidden");
    assertProblem(
        rota.send(rota.authorized(windows + "/" + booked, ericToken).DELETE()), 403, "forbidden");
    assertThat(rota.send(rota.authorized(windows + "/" + booked, danaToken).DELETE()).statusCode())
        .isEqualTo(204);
    assertProblem(rota.get(danaToken, windows + "/" + booked), 404, "window-not-found");
  }

  @Test
  void bad_input_is_a_4xx_problem_that_says_what_is_wrong() {
    JsonObject zone =
        assertProblem(
            rota.post(
                admin,
                "/api/v1/calendars",
                "{\"kind\":\"pool\",\"name\":\"x-" + suffix + "\",\"timeZone\":\"Mars/Olympus\"}"),
            400,
            "invalid-scheduling-request");
    assertThat(zone.getString("detail")).contains("Mars/Olympus", "IANA");
    assertProblem(
        rota.post(
            admin,
            "/api/v1/calendars",
            "{\"kind\":\"cluster\",\"name\":\"x\",\"timeZone\":\"UTC\"}"),
        400,
        "invalid-request");
    JsonObject badTime =
        assertProblem(
            rota.post(admin, windows, reservation("\"Mon 25:00\"", "\"Tue 01:00\"")),
            400,
            "invalid-scheduling-request");
    assertThat(badTime.getString("detail")).contains("Mon 25:00");
    assertProblem(
        rota.post(admin, windows, reservation("\"Mon 10:00\"", "\"monday 10:00\"")),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.post(admin, windows, reservation("604801", "\"Tue 01:00\"")),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.post(admin, windows, "{\"kind\":\"maintenance\",\"start\":\"Mon 01:00\"}"),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.post(
            admin,
            windows,
            "{\"kind\":\"reservation\",\"start\":\"Mon 01:00\",\"end\":\"Mon 02:00\"}"),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.post(admin, windows, oneOff("2030-01-09T07:00:00Z", "2030-01-09T05:00:00Z")),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.post(admin, windows, oneOff("yesterday", "2030-01-09T05:00:00Z")),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.post(admin, windows, "{\"kind\":\"maintenance\",\"start\":"), 400, "malformed-body");
    String calendarPath = "/api/v1/calendars/" + calendar;
    assertProblem(
        rota.get(admin, calendarPath + "/occurrences?from=2026-01-01&to=2026-12-31"),
        400,
        "invalid-scheduling-request");
    assertProblem(
        rota.get(admin, calendarPath + "/occurrences?from=2026-01-01"), 400, "invalid-request");
    assertProblem(
        rota.get(admin, calendarPath + "/free-slots?min=soon"), 400, "invalid-scheduling-request");
    assertProblem(
        rota.get(admin, calendarPath + "/availability?at=noon"), 400, "invalid-scheduling-request");
    assertProblem(
        rota.get(admin, "/api/v1/calendars/987654321/availability"), 404, "calendar-not-found");
    JsonObject duplicate =
        assertProblem(
            rota.post(
                admin,
                "/api/v1/calendars",
                "{\"kind\":\"pool\",\"name\":\"pool-" + suffix + "\",\"timeZone\":\"UTC\"}"),
            409,
            "conflict");
    assertThat(duplicate.getString("constraint")).isEqualTo("calendars_kind_name_unique");
  }

  @Test
  void bounds_the_contract_states_are_400s_naming_the_field() {
    // A name the database's CHECK refused with a 409 is now refused before, naming the field.
    JsonObject name =
        assertProblem(
            rota.post(
                admin,
                "/api/v1/calendars",
                "{\"kind\":\"pool\",\"name\":\"no spaces " + suffix + "\",\"timeZone\":\"UTC\"}"),
            400,
            "invalid-request");
    JsonObject owner =
        assertProblem(
            rota.post(
                admin,
                windows,
                "{\"kind\":\"reservation\",\"ownerNodeId\":0,\"start\":\"Mon 01:00\","
                    + "\"end\":\"Mon 02:00\"}"),
            400,
            "invalid-request");
    JsonObject filter =
        assertProblem(
            rota.get(admin, "/api/v1/calendars?name=" + "p".repeat(254)), 400, "invalid-request");
    JsonObject window = assertProblem(rota.get(admin, windows + "/0"), 400, "invalid-request");

    assertThat(violatedFields(name)).containsExactly("name");
    assertThat(violatedFields(owner)).containsExactly("ownerNodeId");
    assertThat(violatedFields(filter)).containsOnly("name");
    assertThat(violatedFields(window)).containsExactly("windowId");
    assertThat(RotaClient.ok(rota.get(admin, windows)).getJsonArray("items")).isEmpty();
  }

  private static java.util.List<String> violatedFields(JsonObject problem) {
    return problem.getJsonArray("violations").getValuesAs(JsonObject.class).stream()
        .map(v -> v.getString("field"))
        .toList();
  }

  @Test
  void a_stranger_sees_when_a_pool_is_reserved_but_not_by_whom_and_a_viewer_sees_both() {
    long nights =
        RotaClient.id(rota.post(admin, windows, reservation("\"Sat 22:00\"", "\"Sun 06:00\"")));
    String viewer = rota.createUser(admin, "vera-" + suffix);
    bind(project, viewer, "viewer");
    String stranger = rota.token("stranger-" + suffix);
    String calendarPath = "/api/v1/calendars/" + calendar;
    String availability = calendarPath + "/availability?at=2026-03-29T02:30:00Z";
    String occurrences = calendarPath + "/occurrences?from=2026-03-23&to=2026-03-30";

    for (HttpResponse<String> read :
        java.util.List.of(
            rota.get(stranger, windows),
            rota.get(stranger, windows + "/" + nights),
            rota.get(stranger, availability),
            rota.get(stranger, occurrences))) {
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(read.body()).doesNotContain("nights", "\"ownerNodeId\":" + project);
    }
    assertProblem(rota.get(availability), 401, "unauthenticated");
    JsonObject held = RotaClient.ok(rota.get(stranger, availability));
    assertThat(held.getString("state")).isEqualTo("reserved");
    assertThat(held.getJsonObject("window").getJsonNumber("id").longValue()).isEqualTo(nights);
    assertThat(hidden(held.getJsonObject("window"), "ownerNodeId")).isTrue();
    assertThat(hidden(held.getJsonObject("window"), "label")).isTrue();
    JsonObject occurrence =
        RotaClient.ok(rota.get(stranger, occurrences)).getJsonArray("items").getJsonObject(0);
    assertThat(occurrence.getString("kind")).isEqualTo("reservation");
    assertThat(hidden(occurrence, "ownerNodeId")).isTrue();

    JsonObject seen =
        RotaClient.ok(rota.get(rota.token(viewer), availability)).getJsonObject("window");
    assertThat(seen.getJsonNumber("ownerNodeId").longValue()).isEqualTo(project);
    assertThat(seen.getString("label")).isEqualTo("nights");
  }

  @Test
  void a_conflict_with_another_tenants_reservation_does_not_name_its_holder() {
    long nights =
        RotaClient.id(rota.post(admin, windows, reservation("\"Tue 22:00\"", "\"Wed 06:00\"")));
    String dana = rota.createUser(admin, "dana-" + suffix);
    long other =
        RotaClient.id(
            rota.post(
                admin,
                "/api/v1/nodes",
                "{\"kind\":\"group\",\"name\":\"Other " + suffix + "\",\"guaranteedGpus\":1}"));
    bind(other, dana, "admin");

    JsonObject problem =
        assertProblem(
            rota.post(
                rota.token(dana),
                windows,
                "{\"kind\":\"reservation\",\"ownerNodeId\":"
                    + other
                    + ",\"start\":\"Tue 23:00\",\"end\":\"Wed 01:00\"}"),
            409,
            "window-conflict");

    assertThat(problem.getJsonNumber("conflictingWindowId").longValue()).isEqualTo(nights);
    assertThat(problem.getString("detail"))
        .contains("window " + nights)
        .doesNotContain("held by", String.valueOf(project), "nights");
  }

  @Test
  void instants_outside_1970_to_9999_are_a_400_naming_the_field_and_store_nothing() {
    String calendarPath = "/api/v1/calendars/" + calendar;
    JsonObject far =
        assertProblem(
            rota.post(
                admin,
                windows,
                "{\"kind\":\"maintenance\",\"start\":\"Mon 01:00\",\"end\":\"Mon 02:00\","
                    + "\"effectiveFrom\":\"+300000-01-01T00:00:00Z\"}"),
            400,
            "instant-out-of-range");
    assertThat(far.getString("field")).isEqualTo("effectiveFrom");
    assertThat(far.getString("detail")).startsWith("effectiveFrom: ").contains("9999-12-31");
    assertThat(
            assertProblem(
                    rota.post(
                        admin,
                        windows,
                        "{\"kind\":\"maintenance\",\"start\":\"Mon 01:00\",\"end\":\"Mon"
                            + " 02:00\",\"effectiveFrom\":\"-5000-01-01T00:00:00Z\"}"),
                    400,
                    "instant-out-of-range")
                .getString("field"))
        .isEqualTo("effectiveFrom");
    assertThat(
            assertProblem(
                    rota.post(
                        admin,
                        windows,
                        oneOff("+294276-01-01T00:00:00Z", "+294276-01-02T00:00:00Z")),
                    400,
                    "instant-out-of-range")
                .getString("field"))
        .isEqualTo("from");
    assertThat(
            assertProblem(
                    rota.get(admin, calendarPath + "/availability?at=-5000-01-01T00:00:00Z"),
                    400,
                    "instant-out-of-range")
                .getString("field"))
        .isEqualTo("at");
    assertThat(
            assertProblem(
                    rota.get(admin, calendarPath + "/free-slots?min=PT1H&week=%2B300000-01-01"),
                    400,
                    "instant-out-of-range")
                .getString("field"))
        .isEqualTo("week");
    assertThat(
            assertProblem(
                    rota.get(admin, calendarPath + "/occurrences?from=-5000-01-01&to=2026-01-01"),
                    400,
                    "instant-out-of-range")
                .getString("field"))
        .isEqualTo("from");
    assertThat(RotaClient.ok(rota.get(admin, windows)).getJsonArray("items")).isEmpty();
    RotaClient.ok(
        rota.post(admin, windows, oneOff("9999-12-31T22:00:00Z", "9999-12-31T23:59:59Z")));
  }

  @Test
  void a_weekly_window_whose_first_occurrence_follows_a_one_off_maintenance_is_no_conflict() {
    long utc =
        RotaClient.id(
            rota.post(
                admin,
                "/api/v1/calendars",
                "{\"kind\":\"pool\",\"name\":\"utc-" + suffix + "\",\"timeZone\":\"UTC\"}"));
    String utcWindows = "/api/v1/calendars/" + utc + "/windows";
    long maintenance =
        RotaClient.id(
            rota.post(admin, utcWindows, oneOff("2027-03-01T09:00:00Z", "2027-03-03T09:00:00Z")));

    JsonObject weekly =
        RotaClient.ok(rota.post(admin, utcWindows, mondayMorning("2027-03-02T00:00:00Z")));
    JsonObject refused =
        assertProblem(
            rota.post(admin, utcWindows, mondayMorning("2027-03-01T00:00:00Z")),
            409,
            "window-conflict");

    assertThat(Instant.parse(weekly.getString("from")))
        .isEqualTo(Instant.parse("2027-03-02T00:00:00Z"));
    assertThat(refused.getJsonNumber("conflictingWindowId").longValue()).isEqualTo(maintenance);
    JsonObject occurrences =
        RotaClient.ok(
            rota.get(
                admin, "/api/v1/calendars/" + utc + "/occurrences?from=2027-03-01&to=2027-03-15"));
    assertThat(occurrences.getJsonArray("items").getValuesAs(JsonObject.class))
        .extracting(o -> OffsetDateTime.parse(o.getString("start")).toInstant().toString())
        .containsExactly("2027-03-01T09:00:00Z", "2027-03-08T09:30:00Z");
    assertThat(rota.send(rota.authorized("/api/v1/calendars/" + utc, admin).DELETE()).statusCode())
        .isEqualTo(204);
  }

  @Test
  void every_scheduling_endpoint_is_in_the_openapi_document() {
    String openapi = rota.get("/openapi").body();

    assertThat(openapi)
        .contains(
            "/api/v1/calendars:", "/api/v1/calendars/{id}:", "/api/v1/calendars/{id}/availability:")
        .contains("/api/v1/calendars/{id}/occurrences:", "/api/v1/calendars/{id}/free-slots:")
        .contains(
            "/api/v1/calendars/{calendarId}/windows:",
            "/api/v1/calendars/{calendarId}/windows/{windowId}:")
        .contains("Scheduling");
  }

  @Test
  void the_calendar_list_filters_by_name_and_a_deleted_calendar_takes_its_windows_along() {
    RotaClient.id(rota.post(admin, windows, reservation("\"Mon 01:00\"", "\"Mon 02:00\"")));

    JsonObject found =
        RotaClient.ok(rota.get(admin, "/api/v1/calendars?kind=pool&name=pool-" + suffix));
    assertThat(found.getJsonArray("items")).hasSize(1);
    assertThat(found.get("nextCursor")).isIn(null, JsonValue.NULL);
    assertThat(
            rota.send(rota.authorized("/api/v1/calendars/" + calendar, admin).DELETE())
                .statusCode())
        .isEqualTo(204);
    assertProblem(rota.get(admin, windows), 404, "calendar-not-found");
    assertThat(
            RotaClient.ok(rota.get(admin, "/api/v1/calendars?name=pool-" + suffix))
                .getJsonArray("items"))
        .isEmpty();
  }

  private String reservation(String start, String end) {
    return "{\"kind\":\"reservation\",\"ownerNodeId\":"
        + project
        + ",\"label\":\"nights\",\"start\":"
        + start
        + ",\"end\":"
        + end
        + ",\"effectiveFrom\":\"2026-01-05T00:00:00Z\"}";
  }

  private String mondayMorning(String effectiveFrom) {
    return "{\"kind\":\"reservation\",\"ownerNodeId\":"
        + project
        + ",\"start\":\"Mon 09:30\",\"end\":\"Mon 10:00\",\"effectiveFrom\":\""
        + effectiveFrom
        + "\"}";
  }

  /** Whether a member is absent or null, as the view of a window the caller may not see has it. */
  private static boolean hidden(JsonObject object, String member) {
    return !object.containsKey(member) || object.isNull(member);
  }

  private static String oneOff(String from, String to) {
    return "{\"kind\":\"maintenance\",\"label\":\"disks\",\"from\":\""
        + from
        + "\",\"to\":\""
        + to
        + "\"}";
  }

  private void bind(long node, String user, String role) {
    rota.bind(admin, node, Json.createObjectBuilder().add("user", user).add("role", role).build());
  }
}
