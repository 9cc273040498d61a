package dev.rota.platform;

import java.util.Set;

/**
 * The authenticated principal of the current request, taken from its verified bearer token.
 *
 * @param name the user name ({@code upn}, else {@code preferred_username}, else {@code sub})
 * @param subject the token's subject
 * @param issuer the token's issuer
 * @param groups the token's groups claim
 * @param platformAdmin whether the caller administers the whole platform (the bootstrap
 *     administrator, or a member of the configured administrator group)
 */
public record Caller(
    String name, String subject, String issuer, Set<String> groups, boolean platformAdmin) {}
