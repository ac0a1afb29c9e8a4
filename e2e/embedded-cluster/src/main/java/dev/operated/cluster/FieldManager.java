package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Field ownership as the API server tracks it
 * (https://kubernetes.io/docs/reference/using-api/server-side-apply/): applies merge per manager
 * and may conflict; every other write hands the fields it changed to its manager.
 */
final class FieldManager {

  /** Set by the server, never owned by a manager. */
  private static final List<String> SYSTEM_METADATA = List.of("name", "namespace", "uid",
      "resourceVersion", "generation", "creationTimestamp", "managedFields", "deletionTimestamp",
      "deletionGracePeriodSeconds", "selfLink", "generateName");

  private final FieldPaths paths;

  FieldManager(FieldSchema schema) {
    this.paths = new FieldPaths(schema);
  }

  /** The part of an object a write to the main resource or to its status subresource owns. */
  static ObjectNode scoped(JsonNode object, boolean status) {
    ObjectNode scoped = JsonNodeFactory.instance.objectNode();
    if (object == null) {
      return scoped;
    }
    if (status) {
      if (object.has("status") && !object.get("status").isNull()) {
        scoped.set("status", object.get("status").deepCopy());
      }
      return scoped;
    }
    object.fields().forEachRemaining(field -> {
      switch (field.getKey()) {
        case "apiVersion", "kind", "status" -> { }
        case "metadata" -> {
          ObjectNode metadata = field.getValue().deepCopy();
          metadata.remove(SYSTEM_METADATA);
          if (!metadata.isEmpty()) {
            scoped.set("metadata", metadata);
          }
        }
        default -> scoped.set(field.getKey(), field.getValue().deepCopy());
      }
    });
    return scoped;
  }

  static List<ManagedFieldsEntry> entries(JsonNode object) {
    List<ManagedFieldsEntry> entries = new ArrayList<>();
    if (object != null) {
      object.path("metadata").path("managedFields")
          .forEach(entry -> entries.add(ManagedFieldsEntry.fromJson(entry)));
    }
    return entries;
  }

  /**
   * Server-side apply of {@code config} by {@code manager} onto {@code live} (null: create).
   *
   * @return the object to store, managedFields included
   */
  ObjectNode apply(ObjectNode live, ObjectNode config, String manager, boolean force,
      String subresource, String now) throws ApplyConflictException {
    boolean status = "status".equals(subresource);
    ObjectNode liveScoped = scoped(live, status);
    ObjectNode configScoped = scoped(config, status);
    FieldSet applied = paths.fieldsOf(configScoped);

    List<ManagedFieldsEntry> entries = entries(live);
    int mine = indexOf(entries, manager, ManagedFieldsEntry.APPLY, subresource);
    FieldSet previous = mine < 0 ? FieldSet.empty() : entries.get(mine).fields();

    List<ApplyConflictException.Conflict> conflicts = new ArrayList<>();
    Set<List<String>> conflicting = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      if (i == mine) {
        continue;
      }
      ManagedFieldsEntry other = entries.get(i);
      for (List<String> path : applied.paths()) {
        if (other.fields().contains(path) && path.get(path.size() - 1).startsWith("f:")
            && !Objects.equals(FieldPaths.at(liveScoped, path),
                FieldPaths.at(configScoped, path))) {
          conflicts.add(new ApplyConflictException.Conflict(other.manager(), dotted(path)));
          conflicting.add(path);
        }
      }
    }
    if (!conflicts.isEmpty() && !force) {
      throw new ApplyConflictException(conflicts);
    }
    // A forced apply takes the conflicting fields; fields with equal values stay shared.
    for (int i = 0; i < entries.size(); i++) {
      if (i != mine) {
        entries.set(i, entries.get(i).withFields(entries.get(i).fields().minus(conflicting), now));
      }
    }

    ObjectNode base = live != null ? live.deepCopy() : identityOf(config);
    ObjectNode merged = (ObjectNode) paths.merge(base, configScoped, List.of());

    Set<List<String>> ownedByOthers = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      if (i != mine) {
        ownedByOthers.addAll(entries.get(i).fields().paths());
      }
    }
    Set<List<String>> stillOwned = new LinkedHashSet<>(ownedByOthers);
    stillOwned.addAll(applied.paths());
    List<List<String>> dropped = new ArrayList<>(previous.minus(applied.paths()).paths());
    // Outermost first: a list item goes whole, before its key fields could be removed from it.
    dropped.sort(Comparator.comparingInt(List::size));
    for (List<String> path : dropped) {
      // A list item the applier drops goes whole, fields others set inside it included, unless
      // another manager owns the item itself (structured-merge-diff's prune; upstream
      // TestApplyCanRemoveMapItemsContributedToByControllers). A field goes unless it is shared.
      boolean item = !path.get(path.size() - 1).startsWith("f:");
      if (!ownedByOthers.contains(path) && (item || !hasOwnedDescendant(path, stillOwned))) {
        FieldPaths.remove(merged, path, stillOwned);
      }
    }
    // What the prune took is no longer anyone's (the updater's second pass upstream).
    for (int i = 0; i < entries.size(); i++) {
      if (i != mine) {
        Set<List<String>> gone = new LinkedHashSet<>();
        for (List<String> path : entries.get(i).fields().paths()) {
          if (FieldPaths.at(merged, path) == null) {
            gone.add(path);
          }
        }
        if (!gone.isEmpty()) {
          entries.set(i, entries.get(i).withFields(entries.get(i).fields().minus(gone), now));
        }
      }
    }

    String apiVersion = config.path("apiVersion").asText();
    if (mine >= 0) {
      entries.set(mine, entries.get(mine).withFields(applied, now));
    } else {
      entries.add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.APPLY, subresource,
          apiVersion, now, applied));
    }
    return withEntries(merged, entries);
  }

  /** Any write other than an apply: the manager takes every field whose value it changed. */
  ObjectNode update(ObjectNode old, ObjectNode updated, String manager, String subresource,
      String now) {
    boolean status = "status".equals(subresource);
    ObjectNode oldScoped = scoped(old, status);
    ObjectNode newScoped = scoped(updated, status);
    FieldSet before = paths.fieldsOf(oldScoped);
    FieldSet after = paths.fieldsOf(newScoped);

    Set<List<String>> changed = new LinkedHashSet<>();
    for (List<String> path : after.paths()) {
      boolean item = !path.get(path.size() - 1).startsWith("f:");
      if (!before.contains(path)
          || !item && !Objects.equals(FieldPaths.at(oldScoped, path),
              FieldPaths.at(newScoped, path))) {
        changed.add(path);
      }
    }
    Set<List<String>> gone = new LinkedHashSet<>(before.minus(after.paths()).paths());
    Set<List<String>> lost = new LinkedHashSet<>(changed);
    lost.addAll(gone);

    List<ManagedFieldsEntry> entries = entries(old);
    for (int i = 0; i < entries.size(); i++) {
      entries.set(i, entries.get(i).withFields(entries.get(i).fields().minus(lost), now));
    }
    if (!changed.isEmpty()) {
      int mine = indexOf(entries, manager, ManagedFieldsEntry.UPDATE, subresource);
      if (mine >= 0) {
        entries.set(mine, entries.get(mine).withFields(entries.get(mine).fields().plus(changed),
            now));
      } else {
        entries.add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.UPDATE, subresource,
            updated.path("apiVersion").asText(), now, new FieldSet(changed)));
      }
    }
    return withEntries(updated.deepCopy(), entries);
  }

  private static boolean hasOwnedDescendant(List<String> path, Set<List<String>> owned) {
    for (List<String> other : owned) {
      if (other.size() > path.size() && other.subList(0, path.size()).equals(path)) {
        return true;
      }
    }
    return false;
  }

  private static ObjectNode identityOf(ObjectNode config) {
    ObjectNode identity = JsonNodeFactory.instance.objectNode();
    identity.set("apiVersion", config.get("apiVersion"));
    identity.set("kind", config.get("kind"));
    ObjectNode metadata = identity.putObject("metadata");
    JsonNode source = config.path("metadata");
    for (String field : List.of("name", "namespace", "generateName")) {
      if (source.hasNonNull(field)) {
        metadata.set(field, source.get(field));
      }
    }
    return identity;
  }

  private static ObjectNode withEntries(ObjectNode object, List<ManagedFieldsEntry> entries) {
    ObjectNode metadata = object.has("metadata") && object.get("metadata").isObject()
        ? (ObjectNode) object.get("metadata") : object.putObject("metadata");
    ArrayNode managed = JsonNodeFactory.instance.arrayNode();
    entries.stream().filter(entry -> !entry.fields().isEmpty())
        .forEach(entry -> managed.add(entry.toJson()));
    if (managed.isEmpty()) {
      metadata.remove("managedFields");
    } else {
      metadata.set("managedFields", managed);
    }
    return object;
  }

  private static int indexOf(List<ManagedFieldsEntry> entries, String manager, String operation,
      String subresource) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).sameOwner(manager, operation, subresource)) {
        return i;
      }
    }
    return -1;
  }

  /** A path as the API server names it in a conflict: {@code .spec.replicas}. */
  static String dotted(List<String> path) {
    StringBuilder name = new StringBuilder();
    for (String element : path) {
      if (element.startsWith("f:")) {
        name.append('.').append(element.substring(2));
      } else {
        name.append('[').append(element.substring(2)).append(']');
      }
    }
    return name.toString();
  }
}
