package dev.rota.configvcs.internal.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.configvcs.ConfigException.InvalidDocument;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 8785 canonical JSON, with its published test vectors, and exact numbers beyond doubles. */
class CanonicalJsonTest {

  /**
   * RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialization, which is kept as
   * it is, and which is the shortest decimal that reads back as the double.
   */
  @ParameterizedTest
  @CsvSource({
    "0000000000000000, 0",
    "8000000000000000, 0",
    "0000000000000001, 5e-324",
    "8000000000000001, -5e-324",
    "7fefffffffffffff, 1.7976931348623157e+308",
    "ffefffffffffffff, -1.7976931348623157e+308",
    "4340000000000000, 9007199254740992",
    "c340000000000000, -9007199254740992",
    "4430000000000000, 295147905179352830000",
    "44b52d02c7e14af5, 9.999999999999997e+22",
    "44b52d02c7e14af6, 1e+23",
    "44b52d02c7e14af7, 1.0000000000000001e+23",
    "444b1ae4d6e2ef4e, 999999999999999700000",
    "444b1ae4d6e2ef4f, 999999999999999900000",
    "444b1ae4d6e2ef50, 1e+21",
    "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d, 0.000001",
    "41b3de4355555553, 333333333.3333332",
    "41b3de4355555554, 333333333.33333325",
    "41b3de4355555555, 333333333.3333333",
    "41b3de4355555556, 333333333.3333334",
    "41b3de4355555557, 333333333.33333343",
    "becbf647612f3696, -0.0000033333333333333333",
    "43143ff3c1cb0959, 1424953923781206.2"
  })
  void doubles_are_written_as_ecmascript_writes_them(String bits, String expected) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));

    assertThat(CanonicalNumber.format(new BigDecimal(expected))).isEqualTo(expected);
    assertThat(Double.parseDouble(expected)).isEqualTo(d == 0 ? 0.0 : d);
  }

  /**
   * A number whose value is not the shortest form of a double keeps all its digits, also when it
   * reads as a double: JDK 17 writes 1e23 as 9.999999999999999E22, which stays as it is.
   */
  @ParameterizedTest
  @CsvSource({
    "9.999999999999999E22, 9.999999999999999e+22",
    "4.9E-324, 4.9e-324",
    "1.0, 1",
    "1.50, 1.5",
    "-0.0, 0",
    "100, 100",
    "1e20, 100000000000000000000",
    "0.0000001, 1e-7",
    "0.1, 0.1",
    "12345678901234567890, 12345678901234567890",
    "123456789012345678901234567890, 1.2345678901234567890123456789e+29",
    "3.14159265358979323846264338327950288, 3.14159265358979323846264338327950288",
    "1E400, 1e+400",
    "-1.0000000000000000000001E-400, -1.0000000000000000000001e-400",
    "9007199254740993, 9007199254740993"
  })
  void numbers_keep_their_value_exactly_in_the_same_layout(String input, String expected) {
    assertThat(CanonicalNumber.format(new BigDecimal(input))).isEqualTo(expected);
    assertThat(new BigDecimal(expected)).isEqualByComparingTo(new BigDecimal(input));
  }

  @Test
  void numbers_too_long_or_too_far_out_are_refused() {
    assertThatThrownBy(() -> CanonicalNumber.format(new BigDecimal("1e1001")))
        .isInstanceOf(InvalidDocument.class);
    assertThatThrownBy(() -> CanonicalNumber.format(new BigDecimal("1" + "3".repeat(1001))))
        .isInstanceOf(InvalidDocument.class);
  }

  @Test
  void members_sort_by_utf16_code_units_and_strings_escape_as_rfc_8785_says() {
    String json =
        "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew\","
            + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji\",\"\\u0080\":\"Control\",\"\\u00f6\":\"o\","
            + "\"s\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\\u007f\\u2028\"}";

    assertThat(CanonicalJson.write(JsonText.parse(json)))
        .isEqualTo(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\","
                + "\"s\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\u007f\u2028\","
                + "\"\u0080\":\"Control\",\"\u00f6\":\"o\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji\",\"\ufb33\":\"Hebrew\"}");
  }

  @Test
  void whitespace_goes_and_literals_stay() {
    assertThat(CanonicalJson.write(JsonText.parse(" [ true , false , null , { } , [ ] , \"\" ] ")))
        .isEqualTo("[true,false,null,{},[],\"\"]");
  }

  @Test
  void lone_surrogates_and_nul_are_refused() {
    assertThatThrownBy(() -> CanonicalJson.write(JsonText.parse("[\"\\ud800x\"]")))
        .isInstanceOf(InvalidDocument.class)
        .hasMessageContaining("surrogate");
    assertThatThrownBy(() -> CanonicalJson.write(JsonText.parse("{\"a\\u0000\":1}")))
        .isInstanceOf(InvalidDocument.class)
        .hasMessageContaining("U+0000");
  }

  @Test
  void malformed_text_and_duplicate_names_are_refused_saying_where() {
    assertThatThrownBy(() -> JsonText.parse("{\"a\": 1,\n \"b\": }"))
        .isInstanceOf(InvalidDocument.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> JsonText.parse("{\"a\": 1, \"a\": 2}"))
        .isInstanceOf(InvalidDocument.class);
  }
}
