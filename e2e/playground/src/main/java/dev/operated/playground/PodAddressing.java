package dev.operated.playground;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the local node gives pods a network identity of their own without network namespaces.
 *
 * <p>{@link #ADDRESS_PER_POD}: each pod gets an address of its own in 127.0.0.0/8 and listens on
 * its container ports as they are, which needs the whole block routed to the loopback interface
 * (Linux does this with no set-up). {@link #PORT_PER_POD}: every pod is on 127.0.0.1 and the node
 * maps each container port to a free port of the host, as a container runtime's port publishing
 * does; for macOS, whose loopback interface has only 127.0.0.1.
 */
public enum PodAddressing {
  ADDRESS_PER_POD("address-per-pod"),
  PORT_PER_POD("port-per-pod");

  /** Forces a mode, e.g. {@code -Doperated.playground.addressing=port-per-pod} on Linux. */
  public static final String PROPERTY = "operated.playground.addressing";
  public static final String ENV = "OPERATED_PLAYGROUND_ADDRESSING";
  /** An address of the per-pod pool: if it cannot be bound, the pool does not exist here. */
  static final String PROBE_ADDRESS = "127.0.10.2";

  private final String value;

  PodAddressing(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }

  /** The mode forced by the system property or the environment variable, else the detected one. */
  public static PodAddressing chosen() {
    String forced = System.getProperty(PROPERTY);
    String source = "system property " + PROPERTY;
    if (forced == null || forced.isBlank()) {
      forced = System.getenv(ENV);
      source = "environment variable " + ENV;
    }
    if (forced == null || forced.isBlank()) {
      return detected();
    }
    return parse(forced, source);
  }

  static PodAddressing parse(String text, String source) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(mode -> mode.value.equals(wanted)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(source + " is '" + text
            + "': give one of " + Arrays.stream(values()).map(PodAddressing::value)
            .collect(Collectors.joining(", ")) + ", or leave it unset to detect the mode"));
  }

  /** Per-pod addresses when this machine can bind one of them, else a port per pod. */
  public static PodAddressing detected() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(PROBE_ADDRESS))) {
      return ADDRESS_PER_POD;
    } catch (IOException e) {
      return PORT_PER_POD;
    }
  }
}
