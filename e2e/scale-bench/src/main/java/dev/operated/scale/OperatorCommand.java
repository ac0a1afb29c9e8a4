package dev.operated.scale;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How the operator is started: which {@code java} (Temurin 25 is on the build machine), its JVM
 * options (a 512 Mi pod's by default; system properties go here too), the jar and extra
 * arguments after {@code run}, and variables added to its environment (the allocator's, such as
 * {@code MALLOC_ARENA_MAX}). Before/after runs of a lever differ in one of these.
 */
record OperatorCommand(Path java, List<String> jvmOptions, Path jar, List<String> args,
    Map<String, String> environment) {

  static final List<String> POD_512MI = List.of("-XX:+UseSerialGC", "-XX:MaxRAM=512m");

  OperatorCommand {
    jvmOptions = List.copyOf(jvmOptions);
    args = List.copyOf(args);
    environment = Map.copyOf(environment);
  }
}
