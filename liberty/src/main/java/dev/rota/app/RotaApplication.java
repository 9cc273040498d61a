package dev.rota.app;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.info.Contact;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.servers.Server;

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
            version = "1.0.0",
            description =
                "Control plane for shared GPU clusters: a tenancy tree of groups and projects,"
                    + " versioned configuration, storage, GPU windows and a preemptive GPU task"
                    + " queue.\n\n"
                    + "Every error is RFC 9457 `application/problem+json`. A node, volume, task or"
                    + " other object the caller may not see answers exactly as one that does not"
                    + " exist: 404, with the same body apart from `instance`. Lists are pages with"
                    + " an opaque `nextCursor`; pass it back unchanged as `cursor`.",
            contact = @Contact(name = "Rota maintainers")),
    servers =
        @Server(
            url = "/",
            description =
                "The Rota installation that served this document (local, staging or production"
                    + " alike): paths are relative to its host.",
            extensions = @Extension(name = "x-internal", value = "false", parseValue = true)),
    security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(
    securitySchemeName = "bearer",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    bearerFormat = "JWT",
    description =
        "A signed JWT (JWS, compact form) in `Authorization: Bearer`, verified as RFC8725"
            + " (JSON Web Token Best Current Practices) asks:\n\n"
            + "- **Algorithm pinned by the server**: only RS256 (`mp.jwt.verify.publickey.algorithm`)"
            + " is accepted, whatever the token's `alg` header says; unsigned (`alg: none`) and"
            + " HMAC-signed tokens are refused (RFC 8725 §3.1, §3.2).\n"
            + "- **Keys**: the issuer's public key comes from configuration only"
            + " (`rota.jwt.public-key-location`: a PEM, JWK or JWKS file or HTTPS URL), and every"
            + " token is verified with that key alone, never with one the token names.\n"
            + "- **Issuer**: `iss` must equal `rota.jwt.issuer` exactly (RFC 8725 §3.8).\n"
            + "- **Audience**: when `rota.jwt.audience` is set, `aud` must contain it, so a token"
            + " minted for another service is refused (RFC 8725 §3.9).\n"
            + "- **Expiry**: `exp` is required and checked (with Liberty's default clock skew of 5"
            + " minutes); use short-lived tokens.\n"
            + "- **Identity**: the caller is `upn`, else `preferred_username`, else `sub`; the"
            + " `groups` claim gives group memberships.\n\n"
            + "A missing, expired or unverifiable token is 401 `application/problem+json`.")
public class RotaApplication extends Application {}
