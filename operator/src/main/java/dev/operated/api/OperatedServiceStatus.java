package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Optional;
import java.util.Set;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperatedServiceStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
    Long observedGeneration,

    @JsonPropertyDescription("Pods of the Deployment, all revisions.")
    Integer replicas,

    @JsonPropertyDescription("Pods whose every container is ready.")
    Integer readyReplicas,

    @JsonPropertyDescription("Pods running the current pod template.")
    Integer updatedReplicas,

    @JsonPropertyDescription("Pods ready for at least minReadySeconds.")
    Integer availableReplicas,

    @JsonPropertyDescription("Ready pods out of desired, as 'ready/desired' (the READY column).")
    String ready,

    @JsonPropertyDescription("Ready, Progressing and Degraded, in the standard condition shape; "
        + "reasons name the container at fault.")
    List<Condition> conditions) {

  public OperatedServiceStatus {
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
  }

  /** This status with only the conditions of the given types, in their order. */
  public OperatedServiceStatus withConditionsOf(Set<String> types) {
    return new OperatedServiceStatus(observedGeneration, replicas, readyReplicas,
        updatedReplicas, availableReplicas, ready,
        conditions.stream().filter(c -> c.getType() != null && types.contains(c.getType()))
            .toList());
  }

  public Optional<Condition> condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
