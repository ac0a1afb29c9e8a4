package dev.operated.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserSequence;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.Optional;

/**
 * fabric8's serialization as the operator reads the cluster: objects without their
 * {@code managedFields}, and watch events decoded in one pass.
 *
 * <p>No object's {@code managedFields} is read. Every informer keeps each object it watches for
 * the life of the process, and an applied Deployment's managedFields (a field set per manager,
 * parsed into nested maps) cost the heap more than the Deployment itself. Nothing in the operator
 * reads them: the dependents compare with the object itself ({@code AppliedState}), and an update
 * sent without them keeps the stored ones, as the API server does for any write that omits them.
 *
 * <p>A watch event's object is decoded straight into its class. fabric8 reads the object of
 * every event into a tree first, to find its kind, and then converts the tree into the class
 * ({@code KubernetesDeserializer}): the tree of a Pod is built and walked once more for every
 * change of every pod, and decoding events was a fifth of the operator's CPU in a storm
 * (docs/benchmarks.md). The API server writes an object's {@code apiVersion} and {@code kind}
 * before its other fields, so the class is known after two fields and the rest is read into it
 * as it streams by; fields before them, if any, are held back and read first. An event in any
 * other shape (a kind with no class registered, a member besides type and object, an apiVersion
 * or kind that is not a string, a value that does not fit its field) is decoded as fabric8
 * decodes it, from the start, and fails as it would.
 *
 * <p>And an event's object is read without the text of its managedFields
 * ({@link ManagedFieldsCut}): skipped by the parser, they cost a pod's event two fifths of its
 * decoding. One pass and the cut together: a pod's event about 61 → 41 µs, a Deployment's
 * 53 → 36 µs (C1 only, as the chart runs the operator; dev.operated.bench.WatchDecodeCost).
 */
public final class OperatorSerialization extends KubernetesSerialization {

  private final ObjectMapper mapper;

  private OperatorSerialization(ObjectMapper mapper) {
    // fabric8 adds its modules to the mapper it is given: the one kept here is configured
    super(mapper, true);
    this.mapper = mapper;
  }

  public static OperatorSerialization create() {
    OperatorSerialization serialization = new OperatorSerialization(
        new ObjectMapper().addMixIn(ObjectMeta.class, NoManagedFields.class));
    // Unregistered, an OperatedService's event was read as a generic resource and then converted
    // (written and read again) into the class the informer wants: the dearest of all events.
    serialization.registerKubernetesResource(OperatedService.class);
    return serialization;
  }

  @Override
  public <T> T unmarshal(String json, Class<T> type) {
    if (type == WatchEvent.class) {
      Optional<WatchEvent> event = watchEvent(json);
      if (event.isPresent()) {
        return type.cast(event.get());
      }
    }
    return super.unmarshal(json, type);
  }

  /** The event read in one pass, or empty when it is not in the shape a watch sends. */
  Optional<WatchEvent> watchEvent(String json) {
    try (JsonParser parser = mapper.createParser(ManagedFieldsCut.cut(json))) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      WatchEvent event = new WatchEvent();
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT;
          token = parser.nextToken()) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("type".equals(field) && value == JsonToken.VALUE_STRING) {
          event.setType(parser.getText());
        } else if ("object".equals(field) && value == JsonToken.START_OBJECT) {
          Optional<KubernetesResource> object = resource(parser);
          if (object.isEmpty()) {
            return Optional.empty();
          }
          event.setObject(object.get());
        } else {
          return Optional.empty();
        }
      }
      return parser.nextToken() == null ? Optional.of(event) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      // fabric8's own decoding says what is wrong with it, as it always did
      return Optional.empty();
    }
  }

  /**
   * The object the parser is at the start of, in the class its apiVersion and kind are
   * registered for: the fields before both are known are held back and read first.
   */
  private Optional<KubernetesResource> resource(JsonParser parser) throws IOException {
    TokenBuffer head = new TokenBuffer(parser);
    head.writeStartObject();
    String apiVersion = null;
    String kind = null;
    while (apiVersion == null || kind == null) {
      if (parser.nextToken() != JsonToken.FIELD_NAME) {
        return Optional.empty();
      }
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("apiVersion".equals(field) || "kind".equals(field)) {
        if (value != JsonToken.VALUE_STRING) {
          return Optional.empty();
        }
        if ("apiVersion".equals(field)) {
          apiVersion = parser.getText();
        } else {
          kind = parser.getText();
        }
      }
      head.writeFieldName(field);
      head.copyCurrentStructure(parser);
    }
    Class<? extends KubernetesResource> type = getRegisteredKubernetesResource(apiVersion, kind);
    if (type == null) {
      return Optional.empty();
    }
    JsonParser whole = JsonParserSequence.createFlattened(false, head.asParser(parser), parser);
    whole.nextToken();
    return Optional.of(mapper.readerFor(type).readValue(whole));
  }

  @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
  private interface NoManagedFields {
  }
}
