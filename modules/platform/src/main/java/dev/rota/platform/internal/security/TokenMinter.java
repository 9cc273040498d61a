package dev.rota.platform.internal.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Signs MicroProfile JWT bearer tokens with a development key: behind {@code ./rota token} and the
 * tests. Production tokens come from the organisation's identity provider instead.
 */
public final class TokenMinter {

  private final RSAPrivateKey key;
  private final String issuer;
  private final String audience;

  /** Mints for {@code issuer} and the audience Rota is configured to require, if any. */
  public TokenMinter(RSAPrivateKey key, String issuer) {
    this(key, issuer, configuredAudience());
  }

  /** Mints for {@code issuer} and {@code audience} ({@code null}: no {@code aud} claim). */
  public TokenMinter(RSAPrivateKey key, String issuer, String audience) {
    this.key = key;
    this.issuer = issuer;
    this.audience = audience == null || audience.isBlank() ? null : audience;
  }

  /** ROTA_JWT_AUDIENCE, which the server also reads: tokens must then carry it. */
  private static String configuredAudience() {
    return System.getenv("ROTA_JWT_AUDIENCE");
  }

  /** A token for {@code user} in {@code groups}, valid from now for {@code lifetime}. */
  public String mint(String user, List<String> groups, Duration lifetime) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(user)
            .claim("upn", user)
            .claim("groups", groups)
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(lifetime)));
    if (audience != null) {
      claims.audience(audience);
    }
    return sign(claims.build());
  }

  /** Signs any claims as given, for tests that need an expired or otherwise odd token. */
  public String sign(JWTClaimsSet claims) {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("Could not sign the token", e);
    }
    return jwt.serialize();
  }
}
