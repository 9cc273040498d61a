package dev.rota.platform.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.rota.platform.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevelopmentKeysTest {

  private final Path dataDir = TestDatabase.freshDirectory("keys");

  @Test
  void creates_the_pair_once_with_a_private_key_only_its_owner_reads() throws Exception {
    DevelopmentKeys keys = new DevelopmentKeys(dataDir);

    assertThat(keys.ensureExist()).isTrue();
    String publicKey = Files.readString(keys.publicKeyFile());
    assertThat(keys.ensureExist()).isFalse();

    assertThat(Files.readString(keys.publicKeyFile())).isEqualTo(publicKey);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.privateKeyFile())))
        .isEqualTo("rw-------");
    assertThat(keys.publicKeyLocation()).isEqualTo("file:" + dataDir.resolve("jwt/public-key.pem"));
  }

  @Test
  void minted_tokens_verify_with_the_public_key_and_carry_name_groups_and_issuer()
      throws Exception {
    DevelopmentKeys keys = new DevelopmentKeys(dataDir);
    keys.ensureExist();

    String token =
        new TokenMinter(keys.privateKey(), "https://issuer.test")
            .mint("alice", List.of("rota-admin"), Duration.ofMinutes(5));

    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.verify(new RSASSAVerifier(publicKey(keys.publicKeyFile())))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("https://issuer.test");
    assertThat(jwt.getJWTClaimsSet().getStringClaim("upn")).isEqualTo("alice");
    assertThat(jwt.getJWTClaimsSet().getStringListClaim("groups")).containsExactly("rota-admin");
    assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isInTheFuture();
  }

  private static RSAPublicKey publicKey(Path pem) throws Exception {
    String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return (RSAPublicKey)
        KeyFactory.getInstance("RSA")
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
