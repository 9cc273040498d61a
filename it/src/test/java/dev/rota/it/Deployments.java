package dev.rota.it;

import dev.rota.it.probes.ProbeResource;
import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archives the Arquillian tests deploy: the real WAR, as built by the liberty module. */
public final class Deployments {

  private Deployments() {}

  /** The WAR exactly as shipped. */
  public static WebArchive rota() {
    return ShrinkWrap.createFromZipFile(
        WebArchive.class,
        new File(System.getProperty("rota.it.war", "target/deployments/rota.war")));
  }

  /** The WAR plus the test-only endpoints that provoke each class of failure. */
  public static WebArchive rotaWithProbes() {
    return rota().addPackage(ProbeResource.class.getPackage());
  }
}
