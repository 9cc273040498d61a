-- Scheduling: calendars (a GPU node pool or a single node, each on the wall clock of one IANA time
-- zone) and the windows booked on them: weekly windows that recur for ever, and one-off windows.
-- The rules live here, enforced for every writer and under any isolation level:
--   * no two windows of a calendar ever hold the same instant: one exclusion constraint covers
--     weekly against weekly (including windows that wrap around the end of the week), one-off
--     against one-off, and one-off against weekly;
--   * a weekly window is [start, end) in seconds of the week on the calendar's wall clock
--     (0 = Monday 00:00, 604800 = the next Monday 00:00); start > end wraps around the week's end,
--     [0, 604800) is the whole week, start = end is refused;
--   * a calendar's time zone is a zone PostgreSQL knows, and never changes.
--
-- What "holds an instant" means, also across daylight-saving changes: a window holds instant T
-- when T lies in the window's `effective` range and the calendar's wall clock shows, at T, a
-- second of the week that the window covers. For a weekly window `effective` is [from, infinity);
-- for a one-off window it is its own span, and the seconds it covers are exactly those its span
-- shows on the wall clock. So in the week clocks spring forward (Europe/Berlin, last Sunday of
-- March, 02:00 -> 03:00) a weekly window lasts an hour less, and Sunday 02:00-03:00 does not occur;
-- in the week they fall back (03:00 -> 02:00) Sunday 02:00-03:00 occurs twice and a window
-- covering it holds both. Two windows whose covered seconds overlap and whose effective ranges
-- overlap conflict; since at most one covered second is on the clock at any instant, the
-- constraint can work on seconds of the week alone, and no instant is ever held twice.
CREATE SCHEMA scheduling;

CREATE TYPE scheduling.calendar_kind AS ENUM ('pool', 'node');
CREATE TYPE scheduling.window_kind AS ENUM ('reservation', 'maintenance');

-- Seconds of the week -------------------------------------------------------------------------

-- The seconds of the week a weekly window covers: [start, end), or, when it wraps around the end
-- of the week, [start, 604800) and [0, end). The EXCLUDE below compares these pieces, so each
-- branch must yield the real pieces (an empty range in one branch would accept every conflict).
-- A one-off window carries its pieces, computed from its span by a trigger, in once_cover.
CREATE FUNCTION scheduling.window_cover(
    start_second integer, end_second integer, once_cover int4multirange)
  RETURNS int4multirange
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
           WHEN start_second IS NULL OR end_second IS NULL THEN once_cover
           WHEN start_second < end_second
             THEN int4multirange(int4range(start_second, end_second))
           ELSE int4multirange(int4range(start_second, 604800), int4range(0, end_second))
         END;

-- The second of the week (0 = Monday 00:00) that the wall clock of `zone` shows at instant `at`.
CREATE FUNCTION scheduling.week_second(at timestamptz, zone text)
  RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN floor(extract(epoch FROM (at AT TIME ZONE zone)
                                  - date_trunc('week', at AT TIME ZONE zone)))::integer;

-- `seconds` seconds of the week from `start_second` on, wrapping around the week's end.
CREATE FUNCTION scheduling.week_span(start_second integer, seconds bigint)
  RETURNS int4multirange
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN CASE
           WHEN seconds >= 604800 THEN int4multirange(int4range(0, 604800))
           WHEN seconds <= 0 THEN '{}'::int4multirange
           WHEN start_second + seconds <= 604800
             THEN int4multirange(int4range(start_second, (start_second + seconds)::integer))
           ELSE int4multirange(int4range(start_second, 604800),
                               int4range(0, (start_second + seconds - 604800)::integer))
         END;

-- Time zones ----------------------------------------------------------------------------------

-- The offset from UTC of the wall clock of `zone` at instant `at`.
CREATE FUNCTION scheduling.offset_at(at timestamptz, zone text)
  RETURNS interval
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN (at AT TIME ZONE zone) - (at AT TIME ZONE 'UTC');

-- Splits `span` (finite, [) bounds) into the pieces in which `zone` keeps one UTC offset, in
-- order, each with its offset. PostgreSQL does not list a zone's transitions, so the offset is
-- probed a day apart and a change is pinned to the second by bisection. That finds every
-- transition as long as a zone never changes its offset twice within a day: since 1970 no zone
-- of the tz database has changed it twice within 167 hours (SchedulingZonesTest checks this).
CREATE FUNCTION scheduling.zone_segments(span tstzrange, zone text)
  RETURNS TABLE (piece tstzrange, utc_offset interval)
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  cursor_at timestamptz := lower(span);
  stop      timestamptz := upper(span);
  offset_now interval;
  known     timestamptz;      -- the latest instant known to have the current offset
  changed   timestamptz;      -- an instant known to have another offset, or null
  probe     timestamptz;
  middle    timestamptz;
BEGIN
  IF isempty(span) OR lower_inf(span) OR upper_inf(span) THEN
    RETURN;
  END IF;
  WHILE cursor_at < stop LOOP
    offset_now := scheduling.offset_at(cursor_at, zone);
    known := cursor_at;
    changed := NULL;
    LOOP
      probe := known + interval '1 day';
      IF probe >= stop THEN
        probe := stop - interval '1 second';
        IF probe > known AND scheduling.offset_at(probe, zone) <> offset_now THEN
          changed := probe;
        END IF;
        EXIT;
      END IF;
      IF scheduling.offset_at(probe, zone) <> offset_now THEN
        changed := probe;
        EXIT;
      END IF;
      known := probe;
    END LOOP;
    IF changed IS NULL THEN
      piece := tstzrange(cursor_at, stop);
      utc_offset := offset_now;
      RETURN NEXT;
      RETURN;
    END IF;
    -- The first second with another offset lies in (known, changed].
    WHILE changed - known > interval '1 second' LOOP
      middle := known + make_interval(secs => floor(extract(epoch FROM changed - known) / 2));
      IF scheduling.offset_at(middle, zone) = offset_now THEN
        known := middle;
      ELSE
        changed := middle;
      END IF;
    END LOOP;
    piece := tstzrange(cursor_at, changed);
    utc_offset := offset_now;
    RETURN NEXT;
    cursor_at := changed;
  END LOOP;
END $$;

-- The seconds of the week that the wall clock of `zone` shows during `span`: what a one-off
-- window covers. Exact across offset changes: each piece of constant offset shows a contiguous
-- stretch of the clock.
CREATE FUNCTION scheduling.local_week_cover(span tstzrange, zone text)
  RETURNS int4multirange
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  whole_week CONSTANT int4multirange := int4multirange(int4range(0, 604800));
  cover      int4multirange := '{}';
  segment    record;
BEGIN
  FOR segment IN SELECT s.piece FROM scheduling.zone_segments(span, zone) s LOOP
    cover := cover + scheduling.week_span(
        scheduling.week_second(lower(segment.piece), zone),
        ceil(extract(epoch FROM upper(segment.piece) - lower(segment.piece)))::bigint);
    EXIT WHEN cover = whole_week;
  END LOOP;
  RETURN cover;
END $$;

-- The instants at which the wall clock of `zone` shows a second of `cover`, within `span`
-- (finite), as maximal ranges in order: the occurrences of a weekly window. Within each piece of
-- constant offset the clock runs evenly, so each week's pieces map back to instants by that
-- offset; range_agg joins what a change of offset or the week's end cut apart.
CREATE FUNCTION scheduling.weekly_occurrences(cover int4multirange, zone text, span tstzrange)
  RETURNS SETOF tstzrange
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT unnest(range_agg(tstzrange((lower(h.hit) - s.utc_offset) AT TIME ZONE 'UTC',
                                    (upper(h.hit) - s.utc_offset) AT TIME ZONE 'UTC')))
    FROM scheduling.zone_segments(span, zone) AS s,
         LATERAL (SELECT lower(s.piece) AT TIME ZONE zone AS local_start,
                         (lower(s.piece) AT TIME ZONE zone) + (upper(s.piece) - lower(s.piece))
                           AS local_end) AS l,
         LATERAL generate_series(date_trunc('week', l.local_start), l.local_end,
                                 interval '7 days') AS monday,
         LATERAL unnest(cover) AS p,
         LATERAL (SELECT tsrange(monday + make_interval(secs => lower(p)),
                                 monday + make_interval(secs => upper(p)))
                         * tsrange(l.local_start, l.local_end) AS hit) AS h
   WHERE NOT isempty(h.hit);
END;

-- Calendars -----------------------------------------------------------------------------------
CREATE TABLE scheduling.calendars (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       scheduling.calendar_kind NOT NULL,
  -- The pool's label value (pool-a) or the node's name (gpu-node-01), as Kubernetes spells it.
  name       text NOT NULL CONSTRAINT calendars_name_valid
             CHECK (name ~ '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$'),
  -- An IANA zone id (Europe/Berlin); checked against PostgreSQL's zones by the trigger below.
  time_zone  text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT calendars_kind_name_unique UNIQUE (kind, name)
);

-- A zone PostgreSQL does not know would make every conversion fail; a zone that changed would
-- leave the stored covers of one-off windows wrong. Delete and recreate a calendar instead.
CREATE FUNCTION scheduling.calendars_check_zone() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.time_zone IS DISTINCT FROM OLD.time_zone THEN
      RAISE EXCEPTION 'the time zone of calendar % cannot change', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'calendars_time_zone_fixed',
              SCHEMA = 'scheduling', TABLE = 'calendars';
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
    RAISE EXCEPTION 'unknown time zone %', NEW.time_zone
      USING ERRCODE = 'check_violation', CONSTRAINT = 'calendars_time_zone_known',
            SCHEMA = 'scheduling', TABLE = 'calendars';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER calendars_check_zone BEFORE INSERT OR UPDATE OF time_zone ON scheduling.calendars
  FOR EACH ROW EXECUTE FUNCTION scheduling.calendars_check_zone();

-- Windows -------------------------------------------------------------------------------------
CREATE TABLE scheduling.windows (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  calendar_id   bigint NOT NULL CONSTRAINT windows_calendar_fk
                REFERENCES scheduling.calendars (id) ON DELETE CASCADE,
  kind          scheduling.window_kind NOT NULL,
  -- Who holds a reservation; a maintenance window may have no owner.
  owner_node_id bigint CONSTRAINT windows_owner_fk
                REFERENCES tenancy.nodes (id) ON DELETE CASCADE,
  label         text CONSTRAINT windows_label_length CHECK (length(label) BETWEEN 1 AND 200),
  -- A weekly window: seconds of the week on the calendar's wall clock; null for a one-off.
  start_second  integer CONSTRAINT windows_start_in_week
                CHECK (start_second >= 0 AND start_second < 604800),
  end_second    integer CONSTRAINT windows_end_in_week
                CHECK (end_second > 0 AND end_second <= 604800),
  -- A one-off window: the seconds of the week its span shows on the calendar's wall clock,
  -- always set by the trigger below from `effective` and the calendar's zone; null for weekly.
  once_cover    int4multirange,
  -- When the window is in effect: a weekly window's [from, infinity), a one-off window's span.
  effective     tstzrange NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT windows_weekly_or_once CHECK (
        (start_second IS NOT NULL AND end_second IS NOT NULL AND once_cover IS NULL
         AND upper_inf(effective))
     OR (start_second IS NULL AND end_second IS NULL AND once_cover IS NOT NULL
         AND NOT upper_inf(effective))),
  CONSTRAINT windows_not_empty CHECK (start_second <> end_second AND NOT isempty(effective)),
  CONSTRAINT windows_effective_bounds CHECK (
        lower_inc(effective) AND NOT upper_inc(effective) AND NOT lower_inf(effective)
    AND date_trunc('second', lower(effective)) = lower(effective)
    AND (upper_inf(effective) OR date_trunc('second', upper(effective)) = upper(effective))),
  CONSTRAINT windows_once_at_most_a_year CHECK (
    upper_inf(effective) OR upper(effective) - lower(effective) <= interval '366 days'),
  CONSTRAINT windows_reservation_has_owner CHECK (kind = 'maintenance' OR owner_node_id IS NOT NULL),
  -- The rule of the module: no two windows of a calendar hold the same instant. GiST with
  -- btree_gist for the equality on calendar_id; also serves "who holds calendar C at T".
  CONSTRAINT windows_no_overlap EXCLUDE USING gist (
    calendar_id WITH =,
    scheduling.window_cover(start_second, end_second, once_cover) WITH &&,
    effective WITH &&)
);

CREATE INDEX windows_owner ON scheduling.windows (owner_node_id);

-- Computes a one-off window's covered seconds from its span and its calendar's zone, whatever
-- the writer put there. Runs before the constraints, so it tolerates rows they will refuse.
CREATE FUNCTION scheduling.windows_cover_once() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  zone text;
BEGIN
  SELECT time_zone INTO zone FROM scheduling.calendars WHERE id = NEW.calendar_id;
  IF zone IS NULL OR isempty(NEW.effective) OR lower_inf(NEW.effective)
     OR upper_inf(NEW.effective) OR upper(NEW.effective) - lower(NEW.effective) > interval '366 days' THEN
    NEW.once_cover := '{}';       -- the foreign key or the checks refuse the row
  ELSE
    NEW.once_cover := scheduling.local_week_cover(NEW.effective, zone);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER windows_cover_once BEFORE INSERT OR UPDATE ON scheduling.windows
  FOR EACH ROW WHEN (NEW.start_second IS NULL AND NEW.end_second IS NULL)
  EXECUTE FUNCTION scheduling.windows_cover_once();
