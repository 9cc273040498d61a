package dev.rota.scheduling;

import dev.rota.platform.ProblemException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Root of the scheduling module's client-facing failures. */
public abstract class SchedulingException extends ProblemException {

  protected SchedulingException(int status, String title, String detail) {
    super(status, title, detail);
  }

  /** No calendar with this id. */
  public static final class CalendarNotFound extends SchedulingException {
    public CalendarNotFound(String reference) {
      super(404, "Calendar not found", "There is no calendar " + reference + ".");
    }
  }

  /** No window with this id on the calendar. */
  public static final class WindowNotFound extends SchedulingException {
    public WindowNotFound(long calendarId, long windowId) {
      super(404, "Window not found", "Calendar " + calendarId + " has no window " + windowId + ".");
    }
  }

  /** A request the scheduling rules refuse before touching the database. */
  public static final class InvalidSchedulingRequest extends SchedulingException {
    public InvalidSchedulingRequest(String detail) {
      super(400, "Invalid request", detail);
    }
  }

  /**
   * An instant or date outside the range scheduling keeps (1970-01-01T00:00:00Z to
   * 9999-12-31T23:59:59Z); names the field in {@code field}.
   */
  public static final class InstantOutOfRange extends SchedulingException {

    private final String field;

    public InstantOutOfRange(String field, String text, String earliest, String latest) {
      super(
          400,
          "Instant out of range",
          field
              + ": '"
              + text
              + "' is outside the range scheduling keeps; give a time from "
              + earliest
              + " to "
              + latest
              + ".");
      this.field = field;
    }

    public String field() {
      return field;
    }

    @Override
    public Map<String, Object> extensions() {
      return Map.of("field", field);
    }
  }

  /**
   * The window would hold an instant that another window of the calendar already holds; names that
   * window in {@code conflictingWindowId}.
   */
  public static final class WindowConflict extends SchedulingException {

    private final Long conflictingWindowId;
    private final String constraint;

    public WindowConflict(Long conflictingWindowId, String constraint, String description) {
      super(
          409,
          "Window conflict",
          conflictingWindowId == null
              ? "The window overlaps another window of this calendar, which no longer exists;"
                  + " try again."
              : "The window overlaps window "
                  + conflictingWindowId
                  + " ("
                  + description
                  + ") of this calendar. Windows of one calendar never share an instant.");
      this.conflictingWindowId = conflictingWindowId;
      this.constraint = constraint;
    }

    public Long conflictingWindowId() {
      return conflictingWindowId;
    }

    @Override
    public Map<String, Object> extensions() {
      Map<String, Object> members = new LinkedHashMap<>();
      if (conflictingWindowId != null) {
        members.put("conflictingWindowId", conflictingWindowId);
      }
      if (constraint != null) {
        members.put("constraint", constraint);
      }
      return members;
    }
  }
}
