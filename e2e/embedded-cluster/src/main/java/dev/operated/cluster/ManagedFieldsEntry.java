package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One {@code metadata.managedFields} entry: who set which fields, how, and when. */
record ManagedFieldsEntry(String manager, String operation, String subresource,
    String apiVersion, String time, FieldSet fields) {

  static final String APPLY = "Apply";
  static final String UPDATE = "Update";

  boolean sameOwner(String otherManager, String otherOperation, String otherSubresource) {
    return manager.equals(otherManager) && operation.equals(otherOperation)
        && java.util.Objects.equals(subresource, otherSubresource);
  }

  ManagedFieldsEntry withFields(FieldSet newFields, String now) {
    return new ManagedFieldsEntry(manager, operation, subresource, apiVersion,
        newFields.equals(fields) ? time : now, newFields);
  }

  static ManagedFieldsEntry fromJson(JsonNode json) {
    return new ManagedFieldsEntry(json.path("manager").asText(),
        json.path("operation").asText(),
        json.hasNonNull("subresource") ? json.get("subresource").asText() : null,
        json.path("apiVersion").asText(), json.path("time").asText(null),
        FieldSet.fromFieldsV1(json.get("fieldsV1")));
  }

  ObjectNode toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("manager", manager);
    json.put("operation", operation);
    json.put("apiVersion", apiVersion);
    json.put("time", time);
    json.put("fieldsType", "FieldsV1");
    json.set("fieldsV1", fields.toFieldsV1());
    if (subresource != null) {
      json.put("subresource", subresource);
    }
    return json;
  }
}
