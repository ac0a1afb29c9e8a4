package dev.operated.runtime;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredServiceMonitor;
import dev.operated.reconciler.OperatedServiceReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every permission the operator needs, in one place: the Helm chart's RBAC is tested against this
 * class (ChartTest), so a new dependent resource or API call that is not granted fails the build
 * instead of a production reconcile. The dependents are read from the reconciler's
 * {@code @Workflow}, so adding one needs no change here; calls the reconciler makes by hand are
 * listed below with the class that makes them.
 */
public final class OperatorPermissions {

  /** The scope key of cluster-wide grants (a ClusterRole bound by a ClusterRoleBinding). */
  public static final String CLUSTER = "";

  /**
   * What a server-side-apply dependent needs: list/watch for its informer, patch to apply, create
   * because an apply that creates the object is also authorized as a create, get for reads by
   * name. Delete only where the workflow removes the object, a dependent with a reconcile
   * precondition (a budget at one replica): the Deployment and the Service go with their
   * OperatedService by garbage collection, and a grant to delete them would reach every one in
   * the cluster when all namespaces are watched.
   */
  static final List<String> DEPENDENT_VERBS = List.of("create", "get", "list", "patch", "watch");
  static final List<String> REMOVABLE_DEPENDENT_VERBS =
      List.of("create", "delete", "get", "list", "patch", "watch");
  static final List<String> READ_VERBS = List.of("get", "list", "watch");

  /** One verb on one resource (optionally one named object): rules compare as sets of these. */
  public record Grant(String apiGroup, String resource, String verb, String resourceName)
      implements Comparable<Grant> {

    @Override
    public int compareTo(Grant other) {
      return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
      return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + ":" + verb
          + (resourceName.isEmpty() ? "" : "[" + resourceName + "]");
    }
  }

  private OperatorPermissions() {
  }

  /** Granted in every watched namespace. */
  public static List<PolicyRule> inWatchedNamespaces() {
    List<PolicyRule> rules = new ArrayList<>();
    String group = HasMetadata.getGroup(OperatedService.class);
    String plural = HasMetadata.getPlural(OperatedService.class);
    rules.add(rule(group, List.of(plural), READ_VERBS));
    // status only: UpdateControl.patchStatus; the operator never writes the spec or finalizers
    rules.add(rule(group, List.of(plural + "/status"), List.of("patch")));
    // The reconciler's dependents, grouped by API group and by whether the workflow removes them,
    // so the Role reads as a human would write it.
    Map<String, SortedSet<String>> appliedByGroup = new TreeMap<>();
    Map<String, SortedSet<String>> removableByGroup = new TreeMap<>();
    for (Dependent dependent : workflowDependents()) {
      Class<? extends HasMetadata> type = resourceType(dependent.type());
      (removedByTheWorkflow(dependent) ? removableByGroup : appliedByGroup)
          .computeIfAbsent(HasMetadata.getGroup(type), g -> new TreeSet<>())
          .add(HasMetadata.getPlural(type));
    }
    appliedByGroup.forEach((apiGroup, resources) ->
        rules.add(rule(apiGroup, List.copyOf(resources), DEPENDENT_VERBS)));
    removableByGroup.forEach((apiGroup, resources) ->
        rules.add(rule(apiGroup, List.copyOf(resources), REMOVABLE_DEPENDENT_VERBS)));
    // reconciler.ServicePods: an informer on the services' pods, so the status names the container
    // that holds a rollout back
    rules.add(rule("", List.of("pods"), READ_VERBS));
    // reconciler.ServiceAutoscalers: an informer on the HPAs, so the status says when one scales a
    // Deployment whose replicas the spec sets too
    rules.add(rule("autoscaling", List.of("horizontalpodautoscalers"), READ_VERBS));
    // reconciler.ServiceEvents: one Event per Ready transition; the same one again has its count
    // raised by a merge patch, as client-go's EventCorrelator does
    rules.add(rule("", List.of("events"), List.of("create", "patch")));
    return rules;
  }

  /**
   * Cluster-scoped watches of reconciler.ObservedCluster: the Prometheus Operator's CRD (by name)
   * and the labels of a service's namespace for mesh detection (by name when the namespaces are
   * known in advance). A rule limited by name allows list and watch only with a
   * {@code metadata.name} field selector, which is how those informers ask (RBAC documentation,
   * "Referring to resources").
   */
  public static List<PolicyRule> clusterScoped(Optional<Collection<String>> namespaceNames) {
    List<PolicyRule> rules = new ArrayList<>();
    rules.add(new PolicyRuleBuilder().withApiGroups("apiextensions.k8s.io")
        .withResources("customresourcedefinitions")
        .withResourceNames(DesiredServiceMonitor.CRD_NAME)
        .withVerbs(READ_VERBS).build());
    PolicyRuleBuilder namespaces = new PolicyRuleBuilder().withApiGroups("")
        .withResources("namespaces").withVerbs(READ_VERBS);
    namespaceNames.ifPresent(names -> namespaces.withResourceNames(List.copyOf(new TreeSet<>(names))));
    rules.add(namespaces.build());
    return rules;
  }

  /**
   * The Lease of leader election, in the operator's own namespace: fabric8's LeaseLock gets it,
   * creates it the first time and renews it with a JSON merge patch (ResourceLock.update);
   * LeaseRelease updates it to release it on shutdown. A create cannot be limited to a name; the
   * rest are. OperatorUnderChartRbacTest runs leader election under these rules with RBAC on.
   */
  public static List<PolicyRule> leaderElection(String leaseName) {
    return List.of(
        rule("coordination.k8s.io", List.of("leases"), List.of("create")),
        new PolicyRuleBuilder().withApiGroups("coordination.k8s.io").withResources("leases")
            .withResourceNames(leaseName).withVerbs("get", "patch", "update").build());
  }

  /**
   * Every grant of an installation by scope: {@link #CLUSTER} for cluster-wide grants, else the
   * namespace the grant holds in.
   */
  public static Map<String, Set<Grant>> expected(WatchedNamespaces watched,
      String operatorNamespace, Optional<String> leaseName) {
    Map<String, Set<Grant>> byScope = new TreeMap<>();
    if (watched instanceof WatchedNamespaces.Listed listed) {
      listed.names().forEach(namespace -> add(byScope, namespace, inWatchedNamespaces()));
      add(byScope, CLUSTER, clusterScoped(Optional.of(listed.names())));
    } else if (watched instanceof WatchedNamespaces.Own) {
      add(byScope, operatorNamespace, inWatchedNamespaces());
      add(byScope, CLUSTER, clusterScoped(Optional.of(List.of(operatorNamespace))));
    } else {
      add(byScope, CLUSTER, inWatchedNamespaces());
      add(byScope, CLUSTER, clusterScoped(Optional.empty()));
    }
    leaseName.ifPresent(name -> add(byScope, operatorNamespace, leaderElection(name)));
    return byScope;
  }

  /** Rules flattened to single grants, so two ways of writing the same rules compare equal. */
  public static Set<Grant> grants(Collection<PolicyRule> rules) {
    Set<Grant> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
          ? List.of("") : rule.getResourceNames();
      for (String apiGroup : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            for (String name : names) {
              grants.add(new Grant(apiGroup, resource, verb, name));
            }
          }
        }
      }
    }
    return grants;
  }

  private static void add(Map<String, Set<Grant>> byScope, String scope, List<PolicyRule> rules) {
    byScope.computeIfAbsent(scope, s -> new TreeSet<>()).addAll(grants(rules));
  }

  private static PolicyRule rule(String apiGroup, List<String> resources, List<String> verbs) {
    return new PolicyRuleBuilder().withApiGroups(apiGroup).withResources(resources)
        .withVerbs(verbs).build();
  }

  /** JOSDK deletes a dependent whose reconcile precondition stops holding, and no other. */
  private static boolean removedByTheWorkflow(Dependent dependent) {
    return dependent.reconcilePrecondition() != Condition.class;
  }

  private static Dependent[] workflowDependents() {
    return OperatedServiceReconciler.class.getAnnotation(Workflow.class).dependents();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<? extends HasMetadata> resourceType(Class<? extends DependentResource> type) {
    try {
      DependentResource<?, ?> instance = type.getDeclaredConstructor().newInstance();
      return (Class<? extends HasMetadata>) instance.resourceType();
    } catch (InstantiationException | IllegalAccessException | InvocationTargetException
        | NoSuchMethodException e) {
      throw new IllegalStateException("cannot tell which resource " + type.getName()
          + " manages: a dependent needs a public no-argument constructor", e);
    }
  }
}
