package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A failed read of /version is never a fact: the last known version stays. */
class ClusterVersionSourceTest {

  private static final KubernetesClientException UNAVAILABLE =
      new KubernetesClientException("503 Service Unavailable");

  /** Answers in order; an exception in the queue is thrown, "empty" is a VersionInfo of nothing. */
  private static Supplier<VersionInfo> answers(Object... answers) {
    Deque<Object> queue = new LinkedList<>(Arrays.asList(answers)); // answers may be null
    return () -> {
      Object next = queue.removeFirst();
      if (next instanceof RuntimeException failure) {
        throw failure;
      }
      if (next == null) {
        return null;
      }
      if ("empty".equals(next)) {
        return new VersionInfo.Builder().build();
      }
      String[] parts = ((String) next).split("\\.");
      return new VersionInfo.Builder().withMajor(parts[0]).withMinor(parts[1]).build();
    };
  }

  @Test
  void aFailedReadKeepsTheLastKnownVersion() {
    ClusterVersionSource source = new ClusterVersionSource(answers("1.33", UNAVAILABLE), null);

    assertThat(source.readOnce()).isTrue();
    assertThat(source.readOnce()).isFalse();

    assertThat(source.version()).contains(new KubernetesVersion(1, 33));
  }

  @Test
  void untilAFirstReadSucceedsTheVersionIsUnknownNotAssumed() {
    ClusterVersionSource source = new ClusterVersionSource(answers(UNAVAILABLE, "1.28"), null);

    assertThat(source.readOnce()).isFalse();
    assertThat(source.version()).isEmpty();

    assertThat(source.readOnce()).isTrue();
    assertThat(source.version()).contains(new KubernetesVersion(1, 28));
  }

  /**
   * fabric8 answers a 404 from /version with null, and an API server may name no version at all:
   * neither is a fact, and neither may end the timer that reads it (an exception there did).
   */
  @Test
  void noVersionAnsweredIsAFailedRead() {
    ClusterVersionSource source = new ClusterVersionSource(answers("1.33", null, "empty"), null);

    assertThat(source.readOnce()).isTrue();
    assertThat(source.readOnce()).isFalse();
    assertThat(source.readOnce()).isFalse();
    assertThat(source.version()).contains(new KubernetesVersion(1, 33));
  }

  @Test
  void anUpgradeIsAChangeAndTheSameVersionIsNot() {
    ClusterVersionSource source = new ClusterVersionSource(answers("1.29", "1.29", "1.30"), null);
    assertThat(source.readOnce()).isTrue();
    assertThat(source.readOnce()).isFalse();
    assertThat(source.readOnce()).isTrue();
    assertThat(source.version()).contains(new KubernetesVersion(1, 30));
  }
}
