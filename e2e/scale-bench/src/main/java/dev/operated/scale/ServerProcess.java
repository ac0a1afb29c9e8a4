package dev.operated.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ScaleServer} in its own JVM, spoken to over its stdin and stdout. */
final class ServerProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final String url;
  private final Path kubeconfig;

  ServerProcess(List<String> jvmOptions, Path crds, Path directory, boolean https)
      throws IOException {
    this.kubeconfig = directory.resolve("kubeconfig");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ScaleServer.class.getName());
    command.add(crds.toAbsolutePath().toString());
    command.add(kubeconfig.toString());
    command.add(directory.resolve("requests.csv").toString());
    command.add(https ? "https" : "http");
    this.process = new ProcessBuilder(command)
        .redirectError(directory.resolve("server.log").toFile())
        .start();
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          // the protocol's lines; a library's chatter on stdout is not one of them
          if (line.startsWith("ready ") || line.startsWith("{")) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // the process ended; next() reports it
      }
    }, "scale-server-output");
    reader.setDaemon(true);
    reader.start();
    String first = next(120);
    if (!first.startsWith("ready ")) {
      close();
      throw new IllegalStateException("the API server process said " + first + "; see "
          + directory.resolve("server.log"));
    }
    this.url = first.substring("ready ".length());
  }

  String url() {
    return url;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  long pid() {
    return process.pid();
  }

  synchronized ServerReport report() {
    try {
      commands.write("report\n");
      commands.flush();
      JsonNode answer = JSON.readTree(next(60));
      return ServerReport.parse(answer);
    } catch (IOException e) {
      throw new IllegalStateException("the API server process stopped answering", e);
    }
  }

  private String next(int seconds) {
    try {
      String line = lines.poll(seconds, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("the API server process said nothing for " + seconds
            + " s" + (process.isAlive() ? "" : "; it exited with " + process.exitValue()));
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      commands.write("quit\n");
      commands.flush();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
