package dev.operated.cluster;

import io.fabric8.mockwebserver.http.MockResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API server's own health endpoints, as healthz.InstallPathHandler serves them: {@code
 * /healthz}, {@code /livez} and {@code /readyz} answer {@code ok} (or, with {@code ?verbose}, a
 * line per check and "NAME check passed"), each check has its own path ({@code /livez/ping}), and
 * {@code ?exclude=CHECK} skips one. The embedded server has no etcd, log flusher or post-start
 * hooks to check, so its one check is the one a server without checks installs: {@code ping}.
 */
final class HealthEndpoints {

  private static final Set<String> ROOTS = Set.of("/healthz", "/livez", "/readyz");
  private static final List<String> CHECKS = List.of("ping");

  private HealthEndpoints() {
  }

  /** The answer to a GET of {@code rawPath}, when it is a health endpoint. */
  static Optional<MockResponse> answer(String rawPath) {
    int question = rawPath.indexOf('?');
    String path = question < 0 ? rawPath : rawPath.substring(0, question);
    List<String> query = question < 0 ? List.of()
        : List.of(rawPath.substring(question + 1).split("&"));
    if (ROOTS.contains(path)) {
      return Optional.of(text(root(path.substring(1), query)));
    }
    int slash = path.lastIndexOf('/');
    if (slash > 0 && ROOTS.contains(path.substring(0, slash))
        && CHECKS.contains(path.substring(slash + 1))) {
      return Optional.of(text("ok")); // adaptCheckToHandler
    }
    return Optional.empty();
  }

  /** handleRootHealth: every check passes, so the answer is "ok" unless verbose is asked. */
  private static String root(String name, List<String> query) {
    Set<String> excluded = new LinkedHashSet<>();
    boolean verbose = false;
    for (String parameter : query) {
      int equals = parameter.indexOf('=');
      String key = equals < 0 ? parameter : parameter.substring(0, equals);
      if ("verbose".equals(key)) {
        verbose = true;
      } else if ("exclude".equals(key) && equals > 0) {
        excluded.add(URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    StringBuilder lines = new StringBuilder();
    for (String check : CHECKS) {
      lines.append(excluded.remove(check) ? "[+]" + check + " excluded: ok\n"
          : "[+]" + check + " ok\n");
    }
    if (!excluded.isEmpty()) {
      List<String> quoted = new ArrayList<>();
      excluded.stream().sorted().forEach(check -> quoted.add("\"" + check + "\""));
      lines.append("warn: some health checks cannot be excluded: no matches for ")
          .append(String.join(",", quoted)).append('\n');
    }
    return verbose ? lines + name + " check passed\n" : "ok";
  }

  private static MockResponse text(String body) {
    return new MockResponse().setResponseCode(200)
        .setHeader("Content-Type", "text/plain; charset=utf-8")
        .addHeader("X-Content-Type-Options", "nosniff").setBody(body);
  }
}
