package dev.operated.playground;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the local node runs pods.
 *
 * @param runnableImages image repositories (no tag) that can run here, with the jar each stands
 *                       for; every other image is simulated
 * @param logDirectory   where each container's output goes, one file per container
 * @param initialBackOff the kubelet's restart back-off starts here (10 s on a real node)
 * @param maxBackOff     and doubles up to this (5 min on a real node)
 * @param restartGrace   SIGTERM to SIGKILL when a failed probe restarts a container
 * @param jvmOptions     options for every container JVM (small heaps: many pods share a machine)
 * @param addressing     an address per pod, or one address and a port per pod
 */
public record LocalNodeSettings(Map<String, Path> runnableImages, Path logDirectory,
    Duration initialBackOff, Duration maxBackOff, Duration restartGrace,
    List<String> jvmOptions, PodAddressing addressing) {

  public static final String SAMPLE_SERVICE_IMAGE = "ghcr.io/operated-dev/sample-service";
  /** The chart's image (helm/operated/values.yaml image.repository). */
  public static final String OPERATOR_IMAGE = "ghcr.io/operated-dev/operator";
  /** An image's CMD (its Jib {@code <args>}), used when the container gives no args. */
  private static final Map<String, List<String>> DEFAULT_ARGS = Map.of(OPERATOR_IMAGE,
      List.of("run"));
  /**
   * Options after {@link #jvmOptions} for one image: a process has no memory limit for the
   * chart's {@code -XX:MaxRAMPercentage} to take a share of, so the heap is capped here
   * ({@code -Xmx} wins over the percentage).
   */
  private static final Map<String, List<String>> IMAGE_JVM_OPTIONS = Map.of(OPERATOR_IMAGE,
      List.of("-Xmx192m"));

  public LocalNodeSettings {
    runnableImages = Map.copyOf(runnableImages);
    jvmOptions = List.copyOf(jvmOptions);
  }

  /** The sample-service image runs as its packaged jar; a real node's back-off, faster. */
  public static LocalNodeSettings forSampleService(Path sampleServiceJar, Path logDirectory) {
    return new LocalNodeSettings(Map.of(SAMPLE_SERVICE_IMAGE, sampleServiceJar), logDirectory,
        Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofSeconds(5),
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
            "-Xmx96m"), PodAddressing.chosen());
  }

  public LocalNodeSettings withAddressing(PodAddressing mode) {
    return new LocalNodeSettings(runnableImages, logDirectory, initialBackOff, maxBackOff,
        restartGrace, jvmOptions, mode);
  }

  /** These settings, with the chart's operator image run as the packaged operator jar. */
  public LocalNodeSettings withOperator(Path operatorJar) {
    Map<String, Path> images = new HashMap<>(runnableImages);
    images.put(OPERATOR_IMAGE, operatorJar);
    return new LocalNodeSettings(images, logDirectory, initialBackOff, maxBackOff, restartGrace,
        jvmOptions, addressing);
  }

  /**
   * These settings, with the collector sidecar's image and Istio's proxy image run as
   * {@link SidecarStandIns}, whose jars are written into {@code folder}.
   */
  public LocalNodeSettings withSidecarStandIns(Path folder) {
    Map<String, Path> images = new HashMap<>(runnableImages);
    images.putAll(SidecarStandIns.jars(folder));
    return new LocalNodeSettings(images, logDirectory, initialBackOff, maxBackOff, restartGrace,
        jvmOptions, addressing);
  }

  /** What follows the jar: the container's args, or the image's CMD when it gives none. */
  static List<String> argsFor(String image, List<String> containerArgs) {
    return containerArgs == null || containerArgs.isEmpty()
        ? DEFAULT_ARGS.getOrDefault(repository(image), List.of()) : containerArgs;
  }

  List<String> jvmOptionsFor(String image) {
    List<String> options = new ArrayList<>(jvmOptions);
    options.addAll(IMAGE_JVM_OPTIONS.getOrDefault(repository(image), List.of()));
    return options;
  }

  /** The jar that stands for this image, when it can run here. */
  Optional<Path> jarFor(String image) {
    return Optional.ofNullable(runnableImages.get(repository(image)));
  }

  static String repository(String image) {
    String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = withoutDigest.lastIndexOf('/');
    int colon = withoutDigest.lastIndexOf(':');
    return colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
  }
}
