package dev.rota.configvcs.internal.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Reads one piece's stored JSON text, as PostgreSQL prints jsonb, and writes it as canonical JSON
 * in a single pass: members sorted, strings re-escaped, numbers laid out as {@link CanonicalNumber}
 * does, each link marker ({@code "#i"}) replaced by the canonical text of the piece it names and
 * each escaped string ({@code "##..."}) unescaped. Only the JSON the store itself wrote is expected
 * here; anything else is a corrupt store, not a client's mistake.
 */
final class PieceReader {

  private final String text;
  private final IntFunction<String> link;
  private int at;

  PieceReader(String text, IntFunction<String> link) {
    this.text = text;
    this.link = link;
  }

  String read() {
    StringBuilder out = new StringBuilder(text.length());
    value(out);
    skipSpace();
    if (at != text.length()) {
      throw corrupt();
    }
    return out.toString();
  }

  private record Member(String name, CharSequence value) {}

  private void value(StringBuilder out) {
    skipSpace();
    switch (text.charAt(at)) {
      case '{' -> object(out);
      case '[' -> array(out);
      case '"' -> string(out);
      case 't' -> literal(out, "true");
      case 'f' -> literal(out, "false");
      case 'n' -> literal(out, "null");
      default -> number(out);
    }
  }

  private void object(StringBuilder out) {
    at++;
    List<Member> members = new ArrayList<>();
    if (next() != '}') {
      do {
        skipSpace();
        String name = decodeString();
        if (next() != ':') {
          throw corrupt();
        }
        at++;
        StringBuilder value = new StringBuilder();
        value(value);
        members.add(new Member(name, value));
      } while (separator('}'));
    } else {
      at++;
    }
    members.sort((a, b) -> a.name().compareTo(b.name()));
    out.append('{');
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      CanonicalJson.appendString(out, members.get(i).name());
      out.append(':').append(members.get(i).value());
    }
    out.append('}');
  }

  private void array(StringBuilder out) {
    at++;
    out.append('[');
    if (next() != ']') {
      boolean first = true;
      do {
        if (!first) {
          out.append(',');
        }
        first = false;
        value(out);
      } while (separator(']'));
    } else {
      at++;
    }
    out.append(']');
  }

  /** After a member or element: true at a comma, false at the closing bracket (both consumed). */
  private boolean separator(char close) {
    char c = next();
    at++;
    if (c == ',') {
      return true;
    }
    if (c != close) {
      throw corrupt();
    }
    return false;
  }

  private void string(StringBuilder out) {
    String value = decodeString();
    if (value.isEmpty() || value.charAt(0) != Piece.MARKER) {
      CanonicalJson.appendString(out, value);
    } else if (Piece.isMarker(value)) {
      out.append(link.apply(Integer.parseInt(value, 1, value.length(), 10)));
    } else {
      CanonicalJson.appendString(out, Piece.unescape(value));
    }
  }

  private String decodeString() {
    if (text.charAt(at) != '"') {
      throw corrupt();
    }
    int start = ++at;
    while (text.charAt(at) != '"' && text.charAt(at) != '\\') {
      at++;
    }
    if (text.charAt(at) == '"') {
      return text.substring(start, at++);
    }
    StringBuilder decoded = new StringBuilder().append(text, start, at);
    for (char c = text.charAt(at); c != '"'; c = text.charAt(at)) {
      at++;
      if (c != '\\') {
        decoded.append(c);
        continue;
      }
      char escaped = text.charAt(at++);
      switch (escaped) {
        case 'b' -> decoded.append('\b');
        case 'f' -> decoded.append('\f');
        case 'n' -> decoded.append('\n');
        case 'r' -> decoded.append('\r');
        case 't' -> decoded.append('\t');
        case 'u' -> {
          decoded.append((char) Integer.parseInt(text, at, at + 4, 16));
          at += 4;
        }
        default -> decoded.append(escaped);
      }
    }
    at++;
    return decoded.toString();
  }

  private void number(StringBuilder out) {
    int start = at;
    while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
    if (start == at) {
      throw corrupt();
    }
    if (isCanonical(start, at)) {
      out.append(text, start, at);
    } else {
      out.append(CanonicalNumber.format(new BigDecimal(text.substring(start, at))));
    }
  }

  /**
   * Whether PostgreSQL's plain notation is already the canonical text: no exponent, no trailing
   * zero after a point, at most 21 integer digits, and a fraction below 1 with at most five zeros
   * after the point (ECMAScript switches to exponents beyond those).
   */
  private boolean isCanonical(int start, int end) {
    int digits = text.charAt(start) == '-' ? start + 1 : start;
    int point = -1;
    for (int i = digits; i < end; i++) {
      char c = text.charAt(i);
      if (c == '.') {
        point = i;
      } else if (c < '0' || c > '9') {
        return false;
      }
    }
    if (point < 0) {
      return end - digits <= 21;
    }
    if (text.charAt(end - 1) == '0' || point - digits > 21) {
      return false;
    }
    if (point - digits == 1 && text.charAt(digits) == '0') {
      int zeros = 0;
      while (text.charAt(point + 1 + zeros) == '0') {
        zeros++;
      }
      return zeros <= 5;
    }
    return true;
  }

  private void literal(StringBuilder out, String literal) {
    if (!text.startsWith(literal, at)) {
      throw corrupt();
    }
    at += literal.length();
    out.append(literal);
  }

  private char next() {
    skipSpace();
    return text.charAt(at);
  }

  private void skipSpace() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private IllegalStateException corrupt() {
    return new IllegalStateException("a stored piece is not the JSON the store wrote, at " + at);
  }
}
