package dev.operated.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.cluster.ApiRequest;
import dev.operated.cluster.EmbeddedCluster;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded API server as a process of its own, so its CPU and memory are not the operator's
 * or the benchmark's: {@code ScaleServer CRD_FOLDER KUBECONFIG_FILE}. It writes a kubeconfig for
 * the admin user, prints {@code ready <url>}, then answers lines on stdin: {@code report} prints
 * one JSON line (its own CPU time and the requests it answered, counted by {@link RequestClass}),
 * {@code quit} stops it. stdin closing stops it too, so it never outlives the benchmark. On the
 * way out it writes every request it answered to {@code REQUESTS_CSV} (the third argument), one
 * line each, for timelines: what the server was doing before the last apply, by whom. A fourth
 * argument {@code https} serves TLS, with HTTP/2 for the clients that negotiate it.
 */
public final class ScaleServer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ScaleServer() {
  }

  public static void main(String[] args) throws Exception {
    ScaleBenchmark.quietLogging();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    boolean https = args.length > 3 && "https".equals(args[3]);
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().crds(Path.of(args[0])).https(https)
        .start()) {
      Config config = cluster.config();
      writeKubeconfig(Path.of(args[1]), config.getMasterUrl(), cluster.adminToken());
      out.println("ready " + config.getMasterUrl());
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        switch (line.trim()) {
          case "report" -> out.println(JSON.writeValueAsString(report(cluster)));
          case "quit" -> {
            writeRequests(cluster, args);
            return;
          }
          default -> out.println(JSON.createObjectNode().put("error", "unknown command: "
              + line.trim() + "; say report or quit"));
        }
      }
    } finally {
      // the cluster's Vert.x threads are not daemons
      System.exit(0);
    }
  }

  private static void writeRequests(EmbeddedCluster cluster, String[] args) throws IOException {
    if (args.length < 3) {
      return;
    }
    try (PrintStream csv = new PrintStream(Files.newOutputStream(Path.of(args[2])), false,
        StandardCharsets.UTF_8)) {
      // the path last: a label selector in its query may hold commas
      csv.println("at,client,method,code,path");
      for (ApiRequest request : cluster.requests().all()) {
        csv.println(request.at() + "," + request.client() + "," + request.method() + ","
            + request.code() + "," + request.path());
      }
    }
  }

  /** Requests counted so far: a report classifies only those answered since the last one. */
  private static final Map<RequestClass, Long> counts = new LinkedHashMap<>();
  private static int counted;

  static ObjectNode report(EmbeddedCluster cluster) {
    ObjectNode report = JSON.createObjectNode();
    report.put("cpuNanos", ((com.sun.management.OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime());
    List<ApiRequest> all = cluster.requests().all();
    for (ApiRequest request : all.subList(Math.min(counted, all.size()), all.size())) {
      counts.merge(RequestClass.of(request), 1L, Long::sum);
    }
    counted = all.size();
    ArrayNode requests = report.putArray("requests");
    counts.forEach((kind, count) -> {
      ObjectNode entry = requests.addObject();
      entry.put("userAgent", kind.userAgent());
      entry.put("verb", kind.verb());
      entry.put("resource", kind.resource());
      entry.put("subresource", kind.subresource());
      entry.put("count", count);
    });
    return report;
  }

  private static void writeKubeconfig(Path file, String url, String token) throws Exception {
    io.fabric8.kubernetes.api.model.Config kubeconfig = new ConfigBuilder()
        .addNewCluster().withName("scale").withNewCluster().withServer(url)
          .withInsecureSkipTlsVerify(true).endCluster().endCluster()
        .addNewUser().withName("scale").withNewUser().withToken(token).endUser().endUser()
        .addNewContext().withName("scale").withNewContext().withCluster("scale")
          .withUser("scale").withNamespace("default").endContext().endContext()
        .withCurrentContext("scale")
        .build();
    Files.writeString(file, Serialization.asYaml(kubeconfig));
  }
}
