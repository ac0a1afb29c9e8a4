package dev.operated.runtime;

import dev.operated.api.ImageReference;
import dev.operated.desired.CollectorDefaults;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads {@link OperatorSettings} from flags and the environment, refusing at start what would
 * fail later: every problem is reported at once, naming the flag and variable and the fix.
 */
public final class SettingsParser {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /**
   * apimachinery's IsDNS1123Subdomain: dot-separated labels, each starting and ending with a
   * letter or digit ("a..b" and "a.-b" are not names), 253 characters at most.
   */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int DNS_SUBDOMAIN_MAX = 253;
  private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

  private final Map<Setting, String> flags;
  private final Map<String, String> environment;
  private final List<String> problems = new ArrayList<>();

  private SettingsParser(Map<Setting, String> flags, Map<String, String> environment) {
    this.flags = flags;
    this.environment = environment;
  }

  /**
   * @param flags       the flags given on the command line (absent ones are left out)
   * @param environment the process environment
   * @throws InvalidSettingsException listing every bad value
   */
  public static OperatorSettings parse(Map<Setting, String> flags,
      Map<String, String> environment) {
    return new SettingsParser(flags, environment).parse();
  }

  private OperatorSettings parse() {
    WatchedNamespaces watched = watched();
    Optional<String> ownNamespace = optional(Setting.NAMESPACE);
    ownNamespace.ifPresent(namespace -> {
      if (!DNS_LABEL.matcher(namespace).matches()) {
        problem(Setting.NAMESPACE, namespace, "give a namespace name (a DNS label)");
      }
    });
    String bindAddress = bindAddress();
    int port = integer(Setting.HTTP_PORT, 0, 65535, "give a port number from 1 to 65535 (0: any free port)");
    String logLevel = raw(Setting.LOG_LEVEL).toUpperCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(logLevel)) {
      problem(Setting.LOG_LEVEL, raw(Setting.LOG_LEVEL), "give TRACE, DEBUG, INFO, WARN or ERROR");
    }
    boolean leaderElection = bool(Setting.LEADER_ELECTION);
    String leaseName = raw(Setting.LEASE_NAME);
    if (leaseName.length() > DNS_SUBDOMAIN_MAX || !DNS_SUBDOMAIN.matcher(leaseName).matches()) {
      problem(Setting.LEASE_NAME, leaseName,
          "give a Lease name: lower-case letters, digits and '-', in parts joined by single "
              + "'.', each starting and ending with a letter or digit");
    }
    String identity = optional(Setting.IDENTITY).orElseGet(SettingsParser::hostName);
    boolean perResourceMetrics = bool(Setting.PER_RESOURCE_METRICS);
    int shutdownSeconds = integer(Setting.SHUTDOWN_TIMEOUT_SECONDS, 1, 300,
        "give whole seconds from 1 to 300");
    Optional<String> collectorImage = optional(Setting.COLLECTOR_IMAGE);
    collectorImage.ifPresent(image -> {
      if (image.chars().anyMatch(Character::isWhitespace)
          || (ImageReference.tag(image).isEmpty() && !image.contains("@sha256:"))) {
        problem(Setting.COLLECTOR_IMAGE, image,
            "give an image with a tag or digest, e.g. otel/opentelemetry-collector-contrib:0.139.0");
      }
    });
    Optional<String> gateway = optional(Setting.COLLECTOR_GATEWAY);
    gateway.ifPresent(this::checkGateway);
    int reconcileThreads = integer(Setting.RECONCILE_THREADS, 1, 100,
        "give a whole number of threads from 1 to 100");
    WatchTransport watchTransport = watchTransport();
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new OperatorSettings(watched, ownNamespace, bindAddress, port, logLevel,
        leaderElection, leaseName, identity, perResourceMetrics,
        Duration.ofSeconds(shutdownSeconds), collectorImage, gateway,
        OperatorSettings.LeaseTimings.STANDARD, reconcileThreads, watchTransport);
  }

  private WatchTransport watchTransport() {
    String value = raw(Setting.WATCH_TRANSPORT).trim();
    for (WatchTransport transport : WatchTransport.values()) {
      if (transport.name().equalsIgnoreCase(value)) {
        return transport;
      }
    }
    problem(Setting.WATCH_TRANSPORT, raw(Setting.WATCH_TRANSPORT), "give http or websocket");
    return WatchTransport.HTTP;
  }

  private WatchedNamespaces watched() {
    String value = raw(Setting.WATCH_NAMESPACES).trim();
    if (value.equals("all")) {
      return new WatchedNamespaces.All();
    }
    if (value.equals("own")) {
      return new WatchedNamespaces.Own();
    }
    TreeSet<String> names = new TreeSet<>();
    for (String name : value.split(",", -1)) {
      String trimmed = name.trim();
      if (!DNS_LABEL.matcher(trimmed).matches()) {
        problem(Setting.WATCH_NAMESPACES, value, "'" + trimmed + "' is not a namespace name; give "
            + "all, own, or namespace names separated by commas (e.g. shop,billing)");
        return new WatchedNamespaces.All();
      }
      names.add(trimmed);
    }
    return new WatchedNamespaces.Listed(names);
  }

  private String bindAddress() {
    String value = raw(Setting.BIND_ADDRESS);
    if (value.isBlank()) {
      // InetAddress takes "" for loopback: the kubelet's probes on the pod's address would fail
      problem(Setting.BIND_ADDRESS, value, "give an IP address such as 0.0.0.0 or 127.0.0.1");
      return value;
    }
    try {
      // a literal address or a resolvable name; an unresolvable one would fail the HTTP server
      InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      problem(Setting.BIND_ADDRESS, value, "give an IP address such as 0.0.0.0 or 127.0.0.1");
    }
    return value;
  }

  private void checkGateway(String value) {
    if (!CollectorDefaults.isGateway(value)) {
      problem(Setting.COLLECTOR_GATEWAY, value, CollectorDefaults.GATEWAY_FIX);
    }
  }

  private int integer(Setting setting, int min, int max, String fix) {
    String value = raw(setting).trim();
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(setting, value, fix);
    return min;
  }

  private boolean bool(Setting setting) {
    String value = raw(setting).trim().toLowerCase(Locale.ROOT);
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    problem(setting, raw(setting), "give true or false");
    return false;
  }

  private Optional<String> optional(Setting setting) {
    String value = raw(setting).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The flag, else the variable, else the default. */
  private String raw(Setting setting) {
    String flag = flags.get(setting);
    if (flag != null) {
      return flag;
    }
    String variable = environment.get(setting.variable());
    return variable != null ? variable : setting.defaultValue();
  }

  private void problem(Setting setting, String value, String fix) {
    String source = flags.containsKey(setting) ? setting.flag() : setting.variable();
    problems.add(setting.names() + " is '" + value + "' (from " + source + "): " + fix);
  }

  private static String hostName() {
    String hostname = System.getenv("HOSTNAME");
    if (hostname != null && !hostname.isBlank()) {
      return hostname;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "operated-" + ProcessHandle.current().pid();
    }
  }
}
