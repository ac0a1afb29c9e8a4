package dev.operated.playground;

import dev.operated.desired.CollectorDefaults;
import dev.operated.playground.standin.MeshProxyStandIn;
import dev.operated.playground.standin.OtlpReceiverStandIn;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The images of what the operator adds to a pod, run on the local node as small stand-ins: the
 * collector sidecar's image as a real OTLP receiver ({@link OtlpReceiverStandIn}) and Istio's
 * proxy image as a proxy that carries the pod's inbound traffic ({@link MeshProxyStandIn}). Each
 * is a jar that only names its main class and where the classes are, so the node runs it as it
 * runs the sample-service's jar: a process with its probes, preStop hook, SIGTERM and SIGKILL.
 */
public final class SidecarStandIns {

  /** The collector's default image (the operator's {@link CollectorDefaults#IMAGE}). */
  public static final String COLLECTOR_IMAGE = LocalNodeSettings.repository(
      CollectorDefaults.IMAGE);
  /** The image Istio's injector gives istio-proxy. */
  public static final String ISTIO_PROXY_IMAGE = "docker.io/istio/proxyv2";

  private SidecarStandIns() {
  }

  /** Writes the stand-ins' jars into {@code folder}: image repository to jar. */
  static Map<String, Path> jars(Path folder) {
    Map<String, Path> jars = new LinkedHashMap<>();
    jars.put(COLLECTOR_IMAGE, write(folder.resolve("otlp-receiver-stand-in.jar"),
        OtlpReceiverStandIn.class));
    jars.put(ISTIO_PROXY_IMAGE, write(folder.resolve("mesh-proxy-stand-in.jar"),
        MeshProxyStandIn.class));
    return jars;
  }

  private static Path write(Path jar, Class<?> main) {
    Manifest manifest = new Manifest();
    Attributes attributes = manifest.getMainAttributes();
    attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.put(Attributes.Name.MAIN_CLASS, main.getName());
    // the stand-ins use the JDK alone: their own classes are all the class path needs
    attributes.put(Attributes.Name.CLASS_PATH, classesOf(main));
    try {
      Files.createDirectories(jar.getParent());
      try (OutputStream out = Files.newOutputStream(jar);
          JarOutputStream ignored = new JarOutputStream(out, manifest)) {
        return jar;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the stand-in jar " + jar, e);
    }
  }

  /** The folder or jar the class was loaded from, as a URL a manifest's Class-Path takes. */
  private static String classesOf(Class<?> type) {
    try {
      Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.toUri().toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the classes of " + type.getName() + " have no file", e);
    }
  }
}
