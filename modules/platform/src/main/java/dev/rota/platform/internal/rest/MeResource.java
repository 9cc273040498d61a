package dev.rota.platform.internal.rest;

import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/me}: who the bearer token says the caller is. */
@Path("me")
@RequestScoped
@Tag(name = "Platform")
public class MeResource {

  @Inject Caller caller;

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "getMe",
      summary = "The authenticated caller, as Rota sees it",
      description =
          "The identity Rota reads from the verified bearer token: the user name every role"
              + " binding refers to, the token's subject, issuer and groups, and whether the caller"
              + " administers the whole platform. Useful to check a token before anything else.")
  @APIResponse(
      responseCode = "200",
      description = "The caller",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Caller.class),
              examples =
                  @ExampleObject(
                      name = "member",
                      value =
                          """
                          {"name": "alice", "subject": "alice", "issuer": "https://rota.local/dev",
                           "groups": ["ml-team"], "platformAdmin": false}""")))
  public Caller me() {
    return caller;
  }
}
