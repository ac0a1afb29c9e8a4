package dev.operated.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a schema's defaults to a value the way the API server does before validation: a default
 * fills an absent property of an object that is present; absent objects stay absent.
 */
public final class SchemaDefaults {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaDefaults() {
  }

  @SuppressWarnings("unchecked")
  public static Object apply(JSONSchemaProps schema, Object value) {
    if (value instanceof Map<?, ?> map && schema.getProperties() != null) {
      Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
      schema.getProperties().forEach((name, property) -> {
        if (!copy.containsKey(name) && property.getDefault() != null) {
          copy.put(name, plain(property.getDefault()));
        }
        if (copy.containsKey(name)) {
          copy.put(name, apply(property, copy.get(name)));
        }
      });
      return copy;
    }
    if (value instanceof List<?> list && schema.getItems() != null
        && schema.getItems().getSchema() != null) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(apply(schema.getItems().getSchema(), item)));
      return copy;
    }
    return value;
  }

  static Object plain(JsonNode node) {
    return JSON.convertValue(node, Object.class);
  }
}
