package dev.rota.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rota.platform.Page.InvalidCursor;
import dev.rota.platform.internal.paging.CursorSigner;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cursors are opaque and signed: a client gets back what it was given and cannot make one up. */
class PageTest {

  @Test
  void the_cursor_of_a_full_page_decodes_to_the_sort_key_of_its_last_item() {
    Page<String> page =
        Page.of(List.of("acme.a", "acme.b", "acme.c"), 2, k -> k, Function.identity());

    assertThat(page.items()).containsExactly("acme.a", "acme.b");
    assertThat(page.nextCursor()).doesNotContain("acme");
    assertThat(Page.decode(page.nextCursor())).isEqualTo("acme.b");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ISEh",
        "!!",
        "YWNtZS5i",
        "YWNtZS5i.",
        ".",
        "a.b.c",
        "YWNtZS5i.AAAAAAAAAAAAAAAAAAAAAA"
      })
  void a_cursor_this_server_did_not_sign_is_refused(String cursor) {
    assertThatThrownBy(() -> Page.decode(cursor)).isInstanceOf(InvalidCursor.class);
  }

  @Test
  void a_signed_cursor_with_its_key_changed_is_refused() {
    String cursor = Page.encode("acme.b");
    String tag = cursor.substring(cursor.indexOf('.'));
    String other =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("globex.a".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> Page.decode(other + tag)).isInstanceOf(InvalidCursor.class);
  }

  @Test
  void a_cursor_signed_with_another_key_is_refused_and_one_signed_with_the_same_key_is_kept() {
    byte[] first = new byte[32];
    byte[] second = new byte[32];
    second[0] = 1;
    CursorSigner.useKey(first);
    String cursor = Page.encode("acme.b");
    CursorSigner.useKey(second);

    assertThatThrownBy(() -> Page.decode(cursor)).isInstanceOf(InvalidCursor.class);
    CursorSigner.useKey(first.clone());
    assertThat(Page.decode(cursor)).as("another server with the same key").isEqualTo("acme.b");
  }

  @Test
  void no_cursor_is_the_first_page() {
    assertThat(Page.decode(null)).isNull();
    assertThat(Page.decode(" ")).isNull();
  }
}
