package dev.operated.e2e;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** The example manifests, applied as a user applies them. */
final class Examples {

  static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  static final Path SAMPLE = REPO.resolve("sample-service/deploy/operatedservice.yaml");
  static final Path FULL = REPO.resolve("sample-service/deploy/operatedservice-full.yaml");

  private Examples() {
  }

  /** The manifest as `kubectl apply --server-side -n NAMESPACE -f MANIFEST` sends it. */
  static OperatedService apply(KubernetesClient client, Path manifest, String namespace) {
    return apply(client, manifest, namespace, UnaryOperator.identity());
  }

  /** The manifest as a typed object, not applied. */
  static OperatedService load(Path manifest) {
    try (InputStream in = Files.newInputStream(manifest)) {
      return Serialization.unmarshal(in, OperatedService.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest, e);
    }
  }

  /** The same, edited first (as a user edits the file before applying it). */
  static OperatedService apply(KubernetesClient client, Path manifest, String namespace,
      UnaryOperator<OperatedService> edit) {
    OperatedService resource;
    try (InputStream in = Files.newInputStream(manifest)) {
      resource = client.resources(OperatedService.class).load(in).item();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest, e);
    }
    resource.getMetadata().setNamespace(namespace);
    return client.resource(edit.apply(resource)).fieldManager("kubectl").forceConflicts()
        .serverSideApply();
  }
}
