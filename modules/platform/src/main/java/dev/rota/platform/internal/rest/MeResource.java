package dev.rota.platform.internal.rest;

import dev.rota.platform.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/me}: who the bearer token says the caller is. */
@Path("me")
@RequestScoped
@Tag(name = "Platform")
public class MeResource {

  @Inject Caller caller;

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(operationId = "getMe", summary = "The authenticated caller, as Rota sees it")
  public Caller me() {
    return caller;
  }
}
