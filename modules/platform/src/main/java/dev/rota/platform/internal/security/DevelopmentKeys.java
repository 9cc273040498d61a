package dev.rota.platform.internal.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The development key pair that signs and verifies tokens when no identity provider is configured.
 * Created on first start under {@code <data dir>/jwt}; the private key never leaves that directory
 * and is readable by its owner only. For local use and tests only.
 */
public final class DevelopmentKeys {

  private static final Base64.Encoder PEM = Base64.getMimeEncoder(64, "\n".getBytes());

  private final Path directory;

  public DevelopmentKeys(Path dataDirectory) {
    this.directory = dataDirectory.resolve("jwt");
  }

  public Path publicKeyFile() {
    return directory.resolve("public-key.pem");
  }

  public Path privateKeyFile() {
    return directory.resolve("private-key.pem");
  }

  /** The {@code file:} location MicroProfile JWT reads the public key from. */
  public String publicKeyLocation() {
    return "file:" + publicKeyFile();
  }

  /** Creates the pair unless both files exist already; returns whether it created them. */
  public boolean ensureExist() {
    if (Files.exists(publicKeyFile()) && Files.exists(privateKeyFile())) {
      return false;
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      Files.createDirectories(directory);
      Path privateKey = privateKeyFile();
      Files.writeString(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      try {
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // A file system without POSIX permissions keeps the directory's defaults.
      }
      Files.writeString(publicKeyFile(), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the development keys to " + directory, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM cannot generate RSA keys", e);
    }
  }

  /** Reads the private key that {@link #ensureExist()} wrote. */
  public RSAPrivateKey privateKey() {
    try {
      String pem = Files.readString(privateKeyFile(), StandardCharsets.US_ASCII);
      String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      return (RSAPrivateKey)
          KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "No development key at " + privateKeyFile() + ": start Rota once to create it", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Unreadable private key " + privateKeyFile(), e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + PEM.encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
