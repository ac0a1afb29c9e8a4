package dev.operated.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an object in the cluster still holds what the operator applies to it, so that an
 * unchanged object is not applied again. Read from the object alone, without its
 * {@code managedFields}: the operator's informers do not keep them (they would be most of the
 * heap a thousand services cost, see {@code OperatorClient}).
 *
 * <p>The object holds the desired state when every field the desired object sets has the same
 * value in it. Fields the API server defaults ({@code protocol: TCP}, a probe's
 * {@code timeoutSeconds}) and fields other managers set are additions and do not count; a field
 * of ours that someone changed or removed does. A field the operator stopped setting is found
 * by {@link dev.operated.desired.DesiredDigest}: its annotation is one of the compared fields.
 *
 * <p>Lists are compared as server-side apply merges them: a list of scalars (a command, its
 * args) as a whole and in order; a list of objects item for item regardless of order (the API
 * server may keep another order than the one applied, structured-merge-diff before 1.27
 * appended new keyed items), with as many items as the operator applies: an item someone added
 * to a list the operator sets is drift, as it is for an atomic list such as tolerations.
 * Quantities in {@code requests}/{@code limits} compare by amount, since the API server stores
 * them in canonical form ({@code 0.5} as {@code 500m}).
 */
final class AppliedState {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> QUANTITY_MAPS = Set.of("requests", "limits");

  private AppliedState() {
  }

  /** The path of the first field of {@code desired} that {@code actual} does not hold. */
  static Optional<String> firstDifference(HasMetadata actual, HasMetadata desired) {
    ObjectNode wanted = JSON.valueToTree(desired);
    wanted.remove("status"); // never applied: the status belongs to the API server's writers
    return difference(JSON.valueToTree(actual), wanted, "", "");
  }

  /** @param holder the field of the map {@code wanted} is in, for quantities */
  private static Optional<String> difference(JsonNode actual, JsonNode wanted, String path,
      String holder) {
    if (setsNothing(wanted)) {
      return Optional.empty();
    }
    if (actual == null || actual.isNull() || actual.isMissingNode()) {
      return Optional.of(path);
    }
    if (wanted.isObject()) {
      if (!actual.isObject()) {
        return Optional.of(path);
      }
      String key = path.substring(path.lastIndexOf('.') + 1);
      for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        Optional<String> found = difference(actual.get(field.getKey()), field.getValue(),
            path + "." + field.getKey(), key);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    }
    if (wanted.isArray()) {
      return actual.isArray() && actual.size() == wanted.size()
          ? listDifference(actual, wanted, path) : Optional.of(path);
    }
    return sameScalar(actual, wanted, holder) ? Optional.empty() : Optional.of(path);
  }

  private static Optional<String> listDifference(JsonNode actual, JsonNode wanted, String path) {
    boolean[] taken = new boolean[actual.size()];
    for (int i = 0; i < wanted.size(); i++) {
      JsonNode item = wanted.get(i);
      if (!item.isContainerNode()) {
        // a list of scalars is atomic in server-side apply: in order, as applied
        if (!sameScalar(actual.get(i), item, "")) {
          return Optional.of(path + "[" + i + "]");
        }
        continue;
      }
      int match = -1;
      // the applied position first: it is where an unchanged list keeps the item
      if (!taken[i] && difference(actual.get(i), item, path, "").isEmpty()) {
        match = i;
      }
      for (int j = 0; match < 0 && j < actual.size(); j++) {
        if (!taken[j] && difference(actual.get(j), item, path, "").isEmpty()) {
          match = j;
        }
      }
      if (match < 0) {
        // named by the item in the applied position, the likeliest counterpart
        String itemPath = path + "[" + i + "]";
        return difference(actual.get(i), item, itemPath, "").or(() -> Optional.of(itemPath));
      }
      taken[match] = true;
    }
    return Optional.empty();
  }

  private static boolean sameScalar(JsonNode actual, JsonNode wanted, String holder) {
    if (actual == null || actual.isContainerNode()) {
      return false;
    }
    if (actual.isNumber() && wanted.isNumber()) {
      return actual.decimalValue().compareTo(wanted.decimalValue()) == 0;
    }
    if (actual.equals(wanted)) {
      return true;
    }
    return QUANTITY_MAPS.contains(holder) && actual.isTextual() && wanted.isTextual()
        && sameQuantity(actual.asText(), wanted.asText());
  }

  private static boolean sameQuantity(String actual, String wanted) {
    try {
      return Quantity.getAmountInBytes(new Quantity(actual))
          .compareTo(Quantity.getAmountInBytes(new Quantity(wanted))) == 0;
    } catch (IllegalArgumentException notQuantities) {
      return false;
    }
  }

  /** Null, or an empty map or list: the API server stores nothing for it, so nothing to hold. */
  private static boolean setsNothing(JsonNode wanted) {
    return wanted.isNull() || wanted.isContainerNode() && wanted.isEmpty();
  }
}
