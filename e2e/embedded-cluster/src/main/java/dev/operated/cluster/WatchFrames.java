package dev.operated.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.EnumMap;
import java.util.Map;

/**
 * The WebSocket frames of one write's watch events ({@code {"type": .., "object": ..}}, as
 * kube-apiserver's {@code watch.go} writes a {@code metav1.WatchEvent}), each written once, from
 * the stored JSON as it is, whatever the number of watchers it goes to.
 */
final class WatchFrames {

  enum Type { ADDED, MODIFIED, DELETED }

  private final String object;
  private final String previous;
  private final Map<Type, String> written = new EnumMap<>(Type.class);

  /**
   * @param object   the stored JSON after the write, null for a delete
   * @param previous the stored JSON before it, null for a create
   */
  WatchFrames(String object, String previous) {
    this.object = object;
    this.previous = previous;
  }

  /** The frame of an event: a DELETED one carries the object as it was, the others as it is. */
  String of(Type type) {
    return written.computeIfAbsent(type, ignored ->
        frame(type, type == Type.DELETED ? previous : object));
  }

  static String frame(Type type, String objectJson) {
    ObjectNode event = FieldPaths.JSON.createObjectNode();
    event.put("type", type.name());
    event.putRawValue("object", new RawValue(objectJson));
    try {
      return FieldPaths.JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a watch event is always serialisable", e);
    }
  }
}
