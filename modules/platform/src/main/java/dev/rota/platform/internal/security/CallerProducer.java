package dev.rota.platform.internal.security;

import dev.rota.platform.Caller;
import dev.rota.platform.internal.config.PlatformConfig;
import dev.rota.platform.internal.problem.Unauthenticated;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Produces the {@link Caller} of the current request from its verified MicroProfile JWT. */
@RequestScoped
public class CallerProducer {

  @Inject JsonWebToken token;

  @Inject PlatformConfig config;

  @Produces
  Caller caller() {
    if (token == null || token.getRawToken() == null) {
      throw new Unauthenticated("This request carries no bearer token.");
    }
    String name = token.getName() != null ? token.getName() : token.getSubject();
    Set<String> groups = token.getGroups() == null ? Set.of() : Set.copyOf(token.getGroups());
    boolean admin = name.equals(config.bootstrapAdmin()) || groups.contains(config.adminGroup());
    return new Caller(name, token.getSubject(), token.getIssuer(), groups, admin);
  }
}
