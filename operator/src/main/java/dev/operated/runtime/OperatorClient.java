package dev.operated.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

/**
 * The client {@code operated run} talks to the API server with. Its HTTP client is named, not
 * found: fabric8 otherwise takes whichever factory the classpath offers, and with both the JDK's
 * (JOSDK's choice) and Vert.x's (fabric8's default) present it picks one at random and says so
 * on every start. The JDK's needs no Netty or Vert.x event-loop threads in the operator's pod,
 * and the operator's jar ships no other (operator/pom.xml excludes Vert.x's).
 */
public final class OperatorClient {

  private OperatorClient() {
  }

  /** From the kubeconfig's current context, or the pod's service account in a cluster. */
  public static KubernetesClient build() {
    return new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }
}
