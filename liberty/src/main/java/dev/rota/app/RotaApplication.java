package dev.rota.app;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * Rota's REST API. Every module's resources and the platform's problem mappers are found by
 * scanning; every path under {@code /api/v1} needs a bearer JWT (see web.xml).
 */
@ApplicationPath("/api/v1")
@LoginConfig(authMethod = "MP-JWT", realmName = "rota")
@OpenAPIDefinition(
    info =
        @Info(
            title = "Rota",
            version = "v1",
            description =
                "Control plane for shared GPU clusters. Every error is RFC 9457"
                    + " application/problem+json."),
    security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(
    securitySchemeName = "bearer",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    bearerFormat = "JWT")
public class RotaApplication extends Application {}
