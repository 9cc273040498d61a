-- Scheduling, two corrections to V3:
--
-- 1. The exclusion constraint becomes exact: a window is refused if and only if one of its
--    occurrences shares an instant with another window of the calendar. V3 compared the covered
--    seconds of the week and the `effective` ranges separately, and a weekly window's `effective`
--    began at the instant it was booked from, not at its first occurrence. So a weekly window Mon
--    09:30-10:00 in effect from Tuesday 2027-03-02 was refused against a one-off maintenance that
--    ends on Wednesday 03-03, although the weekly window first holds the calendar on Monday 03-08.
--    Now every row carries `held`: the instants from its first occurrence on. For a one-off that is
--    its span; for a weekly window it is [first occurrence start, infinity), where the first
--    occurrence is the first instant from `lower(effective)` on at which the calendar's clock shows
--    a second the window covers (computed by the trigger that already computes a one-off's cover).
--    The constraint compares `held` instead of `effective`. Why that is exact, case by case (a
--    window W "holds" instant T when T is in held(W) and the clock shows at T a second W covers):
--      * one-off A against one-off B: each holds every instant of its span, so spans that overlap
--        share an instant, whose second of the week both covers contain;
--      * weekly W against one-off O = [a, b): if W's first occurrence f lies in [a, b), both hold
--        f; if f < a, O shows at some T in [a, b) a second both covers contain, and W holds T
--        (T > f); if f >= b the held ranges do not overlap. Also when O lasts longer than a week
--        and across daylight-saving changes, since O's cover is exactly what its span shows;
--      * weekly V against weekly W (both in effect for ever): after the later first occurrence
--        every second of the week is shown again within a week (a daylight-saving gap skips an hour
--        of one week only), so overlapping covers always meet. Wrapping windows are one contiguous
--        stretch of the week like any other and change nothing here.
--    Weekly windows have no end (no `effectiveUntil`). With ends, clamping to the first and last
--    occurrence would not make weekly against weekly exact: V = Mon 00:00-01:00 held for two
--    Mondays, W = Sun 23:00-Mon 00:30 ending on the Sunday 23:59:59 between them; held ranges and
--    covers overlap (Mon 00:00-00:30) but no instant is shared. Adding an end needs more than
--    this constraint.
--    The first occurrence is searched for within 15 days of `lower(effective)`: a window shows at
--    least once in any 15 days unless a zone changes its offset twice within a week, which no zone
--    has done since 1970 (see zone_segments); failing that, held begins at lower(effective), as
--    V3 did (refusing too much, never too little). Like a one-off's cover, `held` is computed with
--    the tz data of the day it was written; after a tzdata update that moves a transition, rows
--    written before keep their values until rewritten (UPDATE ... SET effective = effective).
--
-- 2. Instants are kept within 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. Instants beyond
--    PostgreSQL's own range made inserts fail with a 500, and a year such as -5000 was stored as
--    -infinity. The API refuses them with a 400 naming the field; the check keeps every other
--    writer to the same range.
--
-- Existing rows: weekly windows in effect from before 1970 now take effect at 1970-01-01 (which
-- changes no instant from then on); one-off windows are clamped into the range, and those lying
-- wholly outside it are deleted (they hold no instant Rota accepts); weekly windows in effect from
-- after the range are clamped to its last second (they hold nothing before it either way).

ALTER TABLE scheduling.windows ADD COLUMN held tstzrange;

COMMENT ON COLUMN scheduling.windows.held IS
  'The instants from the window''s first occurrence on, set by the trigger windows_cover_and_hold:'
  ' a one-off''s span; a weekly window''s [first occurrence, infinity). The exclusion constraint'
  ' and the occupancy queries use it.';

-- Existing rows out of range -----------------------------------------------------------------
DELETE FROM scheduling.windows
 WHERE start_second IS NULL
   AND (upper(effective) <= '1970-01-01 00:00:00+00'
        OR lower(effective) > '9999-12-31 23:59:59+00');

UPDATE scheduling.windows
   SET effective = tstzrange(greatest(lower(effective), '1970-01-01 00:00:00+00'),
                             least(upper(effective), '9999-12-31 23:59:59+00'))
 WHERE start_second IS NULL
   AND (lower(effective) < '1970-01-01 00:00:00+00'
        OR upper(effective) > '9999-12-31 23:59:59+00');

UPDATE scheduling.windows
   SET effective = tstzrange(least(greatest(lower(effective), '1970-01-01 00:00:00+00'),
                                   '9999-12-31 23:59:59+00'), NULL)
 WHERE start_second IS NOT NULL
   AND (lower(effective) < '1970-01-01 00:00:00+00'
        OR lower(effective) > '9999-12-31 23:59:59+00');

-- The first occurrence -----------------------------------------------------------------------

-- How many seconds after second `at` of the week the week first shows a second of `cover`
-- (0 when `at` is one of them), going round the week's end.
CREATE FUNCTION scheduling.seconds_to_cover(cover int4multirange, at integer)
  RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN (SELECT min(CASE WHEN p @> at THEN 0
                          ELSE ((lower(p) - at) % 604800 + 604800) % 604800 END)
            FROM unnest(cover) AS p);

-- The first instant from `since` on at which the wall clock of `zone` shows a second of `cover`:
-- where a weekly window in effect from `since` begins to hold its calendar. Null when the clock
-- shows none of them within 15 days (see above). The usual case is arithmetic: while the offset
-- stays the same the clock runs evenly, so the first covered second comes `seconds_to_cover`
-- after `since`; that holds when the offset is the same at both ends and they are at most six
-- days apart (no zone changed its offset twice within 167 hours since 1970, SchedulingZonesTest).
-- Otherwise the occurrences of the next 15 days are listed, across the change.
CREATE FUNCTION scheduling.first_occurrence(cover int4multirange, zone text, since timestamptz)
  RETURNS timestamptz
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  wait      integer := scheduling.seconds_to_cover(cover, scheduling.week_second(since, zone));
  candidate timestamptz := since + make_interval(secs => wait);
BEGIN
  IF wait <= 6 * 86400
     AND scheduling.offset_at(since, zone) = scheduling.offset_at(candidate, zone) THEN
    RETURN candidate;
  END IF;
  RETURN (SELECT min(lower(o))
            FROM scheduling.weekly_occurrences(
                   cover, zone, tstzrange(since, since + interval '15 days')) AS o);
END $$;

-- The instants a window holds its calendar from: a one-off's span, a weekly window's effective
-- range from its first occurrence on. Rows the checks will refuse keep their `effective`.
CREATE FUNCTION scheduling.window_held(
    start_second integer, end_second integer, effective tstzrange, zone text)
  RETURNS tstzrange
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
           WHEN start_second IS NULL OR end_second IS NULL OR zone IS NULL
                OR effective IS NULL OR isempty(effective) OR lower_inf(effective)
                OR lower(effective) < '1970-01-01 00:00:00+00'
                OR lower(effective) > '9999-12-31 23:59:59+00'
                OR start_second < 0 OR start_second >= 604800
                OR end_second <= 0 OR end_second > 604800 OR start_second = end_second
             THEN effective
           ELSE tstzrange(
                  COALESCE(scheduling.first_occurrence(
                             scheduling.window_cover(start_second, end_second, NULL),
                             zone, lower(effective)),
                           lower(effective)),
                  upper(effective))
         END;

-- The trigger ----------------------------------------------------------------------------------

DROP TRIGGER windows_cover_once ON scheduling.windows;
DROP FUNCTION scheduling.windows_cover_once();

-- Computes a one-off window's covered seconds from its span and its calendar's zone, and every
-- window's `held`, whatever the writer put there. Runs before the constraints, so it tolerates
-- rows they will refuse (and never computes with instants outside the accepted range, which
-- could loop or overflow).
CREATE FUNCTION scheduling.windows_cover_and_hold() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  zone text;
  in_range boolean;
BEGIN
  SELECT time_zone INTO zone FROM scheduling.calendars WHERE id = NEW.calendar_id;
  in_range := NEW.effective IS NOT NULL AND NOT isempty(NEW.effective)
              AND NOT lower_inf(NEW.effective)
              AND lower(NEW.effective) >= '1970-01-01 00:00:00+00'
              AND lower(NEW.effective) <= '9999-12-31 23:59:59+00'
              AND (upper_inf(NEW.effective) OR upper(NEW.effective) <= '9999-12-31 23:59:59+00');
  IF NEW.start_second IS NULL AND NEW.end_second IS NULL THEN
    IF zone IS NULL OR NOT in_range OR upper_inf(NEW.effective)
       OR upper(NEW.effective) - lower(NEW.effective) > interval '366 days' THEN
      NEW.once_cover := '{}';     -- the foreign key or the checks refuse the row
    ELSE
      NEW.once_cover := scheduling.local_week_cover(NEW.effective, zone);
    END IF;
    NEW.held := NEW.effective;
  ELSIF in_range THEN
    NEW.held := scheduling.window_held(NEW.start_second, NEW.end_second, NEW.effective, zone);
  ELSE
    NEW.held := NEW.effective;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER windows_cover_and_hold BEFORE INSERT OR UPDATE ON scheduling.windows
  FOR EACH ROW EXECUTE FUNCTION scheduling.windows_cover_and_hold();

-- Existing rows, recomputed by the trigger.
UPDATE scheduling.windows SET effective = effective;

ALTER TABLE scheduling.windows ALTER COLUMN held SET NOT NULL;

-- The constraints -----------------------------------------------------------------------------

ALTER TABLE scheduling.windows
  ADD CONSTRAINT windows_effective_in_range CHECK (
        lower(effective) >= '1970-01-01 00:00:00+00'
    AND lower(effective) <= '9999-12-31 23:59:59+00'
    AND (upper_inf(effective) OR upper(effective) <= '9999-12-31 23:59:59+00'));

-- `held` never reaches beyond what the writer booked.
ALTER TABLE scheduling.windows
  ADD CONSTRAINT windows_held_within_effective CHECK (held <@ effective);

-- The rule of the module, now exact: no two windows of a calendar hold the same instant, and two
-- windows that hold no instant in common never conflict. Same name as before, so clients and
-- the 409 see no difference; it also serves "who holds calendar C at T".
ALTER TABLE scheduling.windows DROP CONSTRAINT windows_no_overlap;
ALTER TABLE scheduling.windows
  ADD CONSTRAINT windows_no_overlap EXCLUDE USING gist (
    calendar_id WITH =,
    scheduling.window_cover(start_second, end_second, once_cover) WITH &&,
    held WITH &&);
