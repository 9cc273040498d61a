package dev.rota.platform.internal.openapi;

import java.math.BigDecimal;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents the per-caller rate limit (docs/rate-limiting.md) on every operation: the 429 problem
 * with {@code Retry-After}, and the {@code RateLimit-Policy} and {@code RateLimit} fields of
 * draft-ietf-httpapi-ratelimit-headers-10 on every response.
 */
final class RateLimitResponses {

  static final String RETRY_AFTER = "Retry-After";
  static final String RATE_LIMIT = "RateLimit";
  static final String RATE_LIMIT_POLICY = "RateLimit-Policy";

  private RateLimitResponses() {}

  /**
   * Adds the 429 (unless the operation documents one) and the RateLimit headers to each response.
   */
  static void document(APIResponses responses) {
    if (!responses.hasAPIResponse("429")) {
      responses.addAPIResponse(
          "429",
          ProblemResponsesFilter.problem(
                  "Too many requests from this caller (user, or client address when"
                      + " unauthenticated); retry after `Retry-After` seconds.")
              .addHeader(RETRY_AFTER, ref(RETRY_AFTER)));
    }
    for (Map.Entry<String, APIResponse> response : responses.getAPIResponses().entrySet()) {
      APIResponse r = response.getValue();
      if (r.getRef() != null) {
        continue;
      }
      if (r.getHeaders() == null || !r.getHeaders().containsKey(RATE_LIMIT)) {
        r.addHeader(RATE_LIMIT_POLICY, ref(RATE_LIMIT_POLICY));
        r.addHeader(RATE_LIMIT, ref(RATE_LIMIT));
      }
    }
  }

  /** The three headers, defined once under {@code components/headers}. */
  static void addComponents(Components components) {
    if (components.getHeaders() != null && components.getHeaders().containsKey(RATE_LIMIT)) {
      return;
    }
    components.addHeader(
        RETRY_AFTER,
        header(
            "Seconds to wait before sending another request (RFC 9110 §10.2.3).",
            OASFactory.createSchema()
                .addType(Schema.SchemaType.INTEGER)
                .format("int32")
                .minimum(BigDecimal.ONE)
                .maximum(BigDecimal.valueOf(86_400))));
    components.addHeader(
        RATE_LIMIT_POLICY,
        header(
            "The caller's quota policy (draft-ietf-httpapi-ratelimit-headers-10): `\"user\";q=100;w=5`"
                + " is a bucket of 100 requests that refills in 5 s, i.e. 20 requests per second"
                + " sustained; `anonymous` is the policy of unauthenticated calls, per client"
                + " address. Per server instance.",
            headerString()));
    components.addHeader(
        RATE_LIMIT,
        header(
            "The caller's remaining quota (draft-ietf-httpapi-ratelimit-headers-10):"
                + " `\"user\";r=42;t=3` is 42 requests left and a full bucket again in 3 s.",
            headerString()));
  }

  private static Schema headerString() {
    return OASFactory.createSchema().addType(Schema.SchemaType.STRING).maxLength(200);
  }

  private static Header header(String description, Schema schema) {
    return OASFactory.createHeader().description(description).schema(schema);
  }

  private static Header ref(String name) {
    return OASFactory.createHeader().ref(name);
  }
}
