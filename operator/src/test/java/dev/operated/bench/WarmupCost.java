package dev.operated.bench;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import dev.operated.reconciler.StartupWarmup;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What a storm's first reconciles still pay for code the JIT has not compiled yet, after the
 * operator's start-up warm-up ({@link StartupWarmup}): the CPU of the work every first reconcile
 * does without the API server ({@link StartupWarmup#firstReconcileWithoutApiServer}: check the
 * spec, build the desired objects, write them as an apply sends them and read them as a watch
 * delivers them, compare, aggregate a status), per service, in blocks of 100, on one thread. Not a test (no *Test name: surefire never runs it).
 *
 * <pre>
 * ./mvnw -B -o -q -pl operator test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
 *   -XX:+UseCompactObjectHeaders -XX:MaxRAM=256m -XX:MaxRAMPercentage=70 \
 *   -cp operator/target/classes:operator/target/test-classes:$(cat operator/target/cp.txt) \
 *   dev.operated.bench.WarmupCost [warm-up: on|off] [services]
 * </pre>
 */
public final class WarmupCost {

  private static final int BLOCK = 100;

  private WarmupCost() {
  }

  public static void main(String[] args) {
    boolean warmUp = args.length == 0 || !"off".equals(args[0]);
    int services = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    KubernetesSerialization serialization = new KubernetesSerialization();
    if (warmUp) {
      long started = System.nanoTime();
      int rounds = StartupWarmup.run(serialization);
      System.out.printf("warm-up: %d rounds in %d ms%n", rounds,
          (System.nanoTime() - started) / 1_000_000);
    }
    ClusterFacts facts = new ClusterFacts(KubernetesVersion.of("1", "33"), false, Map.of());
    StringJoiner blocks = new StringJoiner(" ");
    long total = 0;
    for (int first = 0; first < services; first += BLOCK) {
      long started = System.nanoTime();
      for (int i = first; i < first + BLOCK; i++) {
        StartupWarmup.firstReconcileWithoutApiServer(service(i), facts, serialization);
      }
      long nanos = System.nanoTime() - started;
      total += nanos;
      blocks.add(Long.toString(nanos / 1_000 / BLOCK));
    }
    System.out.printf("µs per service, by block of %d: %s; all %d: %d ms%n", BLOCK, blocks,
        services, total / 1_000_000);
  }

  private static OperatedService service(int index) {
    OperatedService resource = new OperatedService("bench", "service-" + index,
        new OperatedServiceSpec("example.com/service:" + index, 2, null, null, null, null, null,
            null, null, null, null, null));
    resource.getMetadata().setGeneration(1L);
    return resource;
  }
}
