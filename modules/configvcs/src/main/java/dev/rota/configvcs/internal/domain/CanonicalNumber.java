package dev.rota.configvcs.internal.domain;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import java.math.BigDecimal;

/**
 * Writes a JSON number as RFC 8785 does, without ever losing a digit.
 *
 * <p>RFC 8785 writes a number as ECMAScript writes the IEEE double nearest to it: the shortest
 * decimal that reads back as that double, in ECMAScript's layout (plain for decimal exponents from
 * -7 to 20, else {@code d.ddde±N}). Rota writes every number's own significant digits (trailing
 * zeros dropped) in that same layout. For every number that is such a shortest form (every integer
 * up to 2^53, 0.1, 1e+300, 5e-324: whatever any RFC 8785 serializer emits) the two agree byte for
 * byte. A number a double cannot hold exactly (more digits than a double keeps, such as
 * 12345678901234567890 or 3.14159265358979323846, or beyond its range, such as 1e400) keeps its
 * value instead of being rounded, where RFC 8785 would round it. Either way the text depends on the
 * value alone, so equal values hash equally. Numbers with more than {@value #MAX_DIGITS}
 * significant digits or a decimal exponent beyond ±{@value #MAX_EXPONENT} are refused.
 */
public final class CanonicalNumber {

  static final int MAX_DIGITS = 1000;
  static final int MAX_EXPONENT = 1000;

  private CanonicalNumber() {}

  public static String format(BigDecimal value) {
    if (value.signum() == 0) {
      return "0";
    }
    if (value.precision() > 4 * MAX_DIGITS) {
      throw tooLarge();
    }
    BigDecimal exact = value.stripTrailingZeros();
    int exponent = exact.precision() - exact.scale() - 1;
    if (exact.precision() > MAX_DIGITS || Math.abs(exponent) > MAX_EXPONENT) {
      throw tooLarge();
    }
    return layout(exact);
  }

  private static InvalidDocument tooLarge() {
    return new InvalidDocument(
        "A number has more than "
            + MAX_DIGITS
            + " significant digits or a decimal exponent beyond"
            + " ±"
            + MAX_EXPONENT
            + "; Rota stores numbers exactly and refuses these.");
  }

  /** ECMAScript's Number::toString layout (ECMA-262, 6.1.6.1.20) of a non-zero decimal. */
  static String layout(BigDecimal value) {
    String digits = value.unscaledValue().abs().toString();
    int k = digits.length();
    int n = k - value.scale();
    StringBuilder out = new StringBuilder(k + 8);
    if (value.signum() < 0) {
      out.append('-');
    }
    if (k <= n && n <= 21) {
      out.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int e = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return out.toString();
  }
}
