package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorDefaults;
import dev.operated.desired.DesiredServiceMonitor;
import dev.operated.desired.KubernetesVersion;
import dev.operated.desired.StandardLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector.Field;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cluster facts the desired state depends on, watched rather than read per reconcile: the
 * labels and annotations of each watched namespace (mesh injection) and whether it is being
 * deleted (then nothing is applied into it), whether the Prometheus Operator's CRD exists, and
 * the API server's version ({@link ClusterVersionSource}). A change of a fact reconciles the
 * OperatedServices it affects, so labelling a namespace or installing the Prometheus Operator
 * takes effect without touching a spec. Reads come from the informers' caches,
 * which keep the last state the API server confirmed: a failed watch or list never turns into
 * "no labels" or "not installed", and a fact not seen yet is reported as unknown, never guessed.
 */
public final class ObservedCluster {

  static final String MANAGED_SELECTOR = StandardLabels.MANAGED_BY + "=" + StandardLabels.MANAGER;
  static final String NAMESPACES_SOURCE = "namespaces";
  static final String SERVICE_MONITOR_CRD_SOURCE = "servicemonitor-crd";
  private static final String ALL = "";

  private final KubernetesClient client;
  private final CollectorDefaults collectorDefaults;
  /** One informer for all namespaces, or one per watched namespace (RBAC by name). */
  private final Map<String, InformerEventSource<Namespace, OperatedService>> namespaces =
      new LinkedHashMap<>();
  private InformerEventSource<CustomResourceDefinition, OperatedService> serviceMonitorCrd;
  private ClusterVersionSource version;

  public ObservedCluster(KubernetesClient client, CollectorDefaults collectorDefaults) {
    this.client = client;
    this.collectorDefaults = collectorDefaults;
  }

  /** The event sources that keep the facts; the reconciler registers them. */
  List<EventSource<?, OperatedService>> eventSources(EventSourceContext<OperatedService> context) {
    Set<String> watched = context.getControllerConfiguration().getEffectiveNamespaces();
    boolean all = watched.isEmpty() || watched.contains(
        io.javaoperatorsdk.operator.api.reconciler.Constants.WATCH_ALL_NAMESPACES);
    for (String namespace : all ? Set.of(ALL) : watched) {
      namespaces.put(namespace, namespaceSource(context, namespace));
    }
    serviceMonitorCrd = serviceMonitorCrdSource(context);
    version = new ClusterVersionSource(client, context);
    List<EventSource<?, OperatedService>> sources = new ArrayList<>(namespaces.values());
    sources.add(serviceMonitorCrd);
    sources.add(version);
    return sources;
  }

  /**
   * The facts for a service in this namespace, or empty while one of them is not known yet (the
   * version unread, the namespace not in the cache): the reconciler then applies nothing.
   */
  public Optional<ClusterFacts> observe(String namespace) {
    Optional<KubernetesVersion> known = version.version();
    Optional<Namespace> found = cached(namespace);
    if (known.isEmpty() || found.isEmpty()) {
      return Optional.empty();
    }
    boolean prometheusOperator = serviceMonitorCrd
        .get(new ResourceID(DesiredServiceMonitor.CRD_NAME)).isPresent();
    return Optional.of(new ClusterFacts(known.get(), prometheusOperator,
        found.get().getMetadata().getLabels(), found.get().getMetadata().getAnnotations(),
        collectorDefaults));
  }

  /**
   * Whether this namespace is being deleted: its content goes with it, and nothing new may be
   * created in it (the API server refuses it, 403 NamespaceTerminating). Unknown is not deleted.
   */
  public boolean namespaceBeingDeleted(String namespace) {
    return cached(namespace).map(found -> found.getMetadata().getDeletionTimestamp() != null)
        .orElse(false);
  }

  /** The namespace as its informer last saw it, if one watches it and has seen it. */
  private Optional<Namespace> cached(String namespace) {
    InformerEventSource<Namespace, OperatedService> source =
        namespaces.getOrDefault(ALL, namespaces.get(namespace));
    return source == null ? Optional.empty() : source.get(new ResourceID(namespace));
  }

  private static InformerEventSource<Namespace, OperatedService> namespaceSource(
      EventSourceContext<OperatedService> context, String namespace) {
    var configuration = InformerEventSourceConfiguration.from(Namespace.class,
            OperatedService.class)
        .withName(namespace.equals(ALL) ? NAMESPACES_SOURCE : NAMESPACES_SOURCE + "-" + namespace)
        .withWatchAllNamespaces()
        .withItemStore(CachedObjects.store(CachedObjects::namespace))
        // only what mesh detection reads, and the namespace's deletion; its status and
        // finalizers change nothing
        .withOnUpdateFilter((updated, old) -> labelsOrAnnotationsDiffer(updated, old)
            || !Objects.equals(updated.getMetadata().getDeletionTimestamp(),
                old.getMetadata().getDeletionTimestamp()))
        .withSecondaryToPrimaryMapper(changed ->
            servicesIn(context, changed.getMetadata().getName()));
    if (!namespace.equals(ALL)) {
      configuration.withFieldSelector(byName(namespace));
    }
    return new InformerEventSource<>(configuration.build(), context);
  }

  private static InformerEventSource<CustomResourceDefinition, OperatedService>
      serviceMonitorCrdSource(EventSourceContext<OperatedService> context) {
    var configuration = InformerEventSourceConfiguration.from(CustomResourceDefinition.class,
            OperatedService.class)
        .withName(SERVICE_MONITOR_CRD_SOURCE)
        .withWatchAllNamespaces()
        .withFieldSelector(byName(DesiredServiceMonitor.CRD_NAME))
        .withItemStore(CachedObjects.store(CachedObjects::existence))
        // installed or removed is the fact; its status and versions churn on their own
        .withOnUpdateFilter((updated, old) -> false)
        .withSecondaryToPrimaryMapper(crd -> context.getPrimaryCache().list()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build();
    return new InformerEventSource<>(configuration, context);
  }

  private static FieldSelector byName(String name) {
    return new FieldSelector(List.of(new Field("metadata.name", name)));
  }

  private static Set<ResourceID> servicesIn(EventSourceContext<OperatedService> context,
      String namespace) {
    return context.getPrimaryCache().list(namespace).map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static boolean labelsOrAnnotationsDiffer(HasMetadata updated, HasMetadata old) {
    return !Objects.equals(updated.getMetadata().getLabels(), old.getMetadata().getLabels())
        || !Objects.equals(updated.getMetadata().getAnnotations(),
            old.getMetadata().getAnnotations());
  }

  static void put(Context<?> context, ClusterFacts facts) {
    context.managedWorkflowAndDependentResourceContext().put(ClusterFacts.class, facts);
  }

  static ClusterFacts facts(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext()
        .getMandatory(ClusterFacts.class, ClusterFacts.class);
  }
}
