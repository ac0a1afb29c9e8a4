package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.function.BiConsumer;

/**
 * Request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}),
 * turned into the JSON the rest of the server reads. client-go's typed clients send built-in kinds
 * this way: Helm stores its releases in Secrets with them ({@code storage/driver.Secrets}) and
 * deletes them with protobuf DeleteOptions, and a server that cannot read them fails the install.
 * A real server decodes every built-in kind; here the kinds those clients write are decoded, the
 * fields of each numbered as in k8s.io/api's {@code generated.proto}, and any other kind is
 * refused with 415 naming it, so a new client's need shows up at once.
 *
 * <p>The envelope is apimachinery's {@code runtime/serializer/protobuf}: the 4-byte prefix
 * {@code k8s\0} and a {@code runtime.Unknown} (typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2).
 */
final class ProtobufBodies {

  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ProtobufBodies() {
  }

  /** The request with its protobuf body as JSON; any other request as it is. */
  static RecordedRequest asJson(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith(MEDIA_TYPE)) {
      return request;
    }
    ObjectNode json = decode(request.getBody().getBytes());
    byte[] body = FieldPaths.write(json).getBytes(StandardCharsets.UTF_8);
    return new RecordedRequest(request.getHttpVersion(), HttpMethod.valueOf(request.getMethod()),
        request.getPath(), request.getHeaders().newBuilder()
            .set("Content-Type", "application/json").build(), new Buffer(body));
  }

  static ObjectNode decode(byte[] body) {
    if (body.length < MAGIC.length || body[0] != MAGIC[0] || body[1] != MAGIC[1]
        || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
      throw new ApiErrors.ApiException(400, "BadRequest", "the body is not in Kubernetes' "
          + "protobuf encoding (no k8s\\0 prefix)");
    }
    Reader unknown = new Reader(body, MAGIC.length, body.length);
    String[] typeMeta = new String[2];
    byte[][] raw = new byte[1][];
    unknown.fields((field, value) -> {
      if (field == 1) {
        value.message().fields((meta, v) -> {
          if (meta == 1 || meta == 2) {
            typeMeta[meta - 1] = v.string();
          }
        });
      } else if (field == 2) {
        raw[0] = value.bytes();
      }
    });
    String apiVersion = typeMeta[0] == null ? "" : typeMeta[0];
    String kind = typeMeta[1] == null ? "" : typeMeta[1];
    Reader object = raw[0] == null ? new Reader(new byte[0], 0, 0)
        : new Reader(raw[0], 0, raw[0].length);
    ObjectNode json = switch (apiVersion + "/" + kind) {
      case "v1/Secret" -> secret(object);
      case "v1/ConfigMap" -> configMap(object);
      case "v1/Namespace" -> namespace(object);
      case "v1/DeleteOptions", "meta.k8s.io/v1/DeleteOptions" -> deleteOptions(object);
      case "authorization.k8s.io/v1/SelfSubjectAccessReview" -> selfSubjectAccessReview(object);
      case "authorization.k8s.io/v1/SelfSubjectRulesReview" -> selfSubjectRulesReview(object);
      default -> throw new ApiErrors.ApiException(415, "UnsupportedMediaType",
          "the embedded cluster reads protobuf bodies of Secrets, ConfigMaps, Namespaces, "
              + "DeleteOptions and self-reviews (kubectl auth can-i) only, not " + apiVersion
              + " " + kind + ": send it as application/json");
    };
    if (!"DeleteOptions".equals(kind)) {
      json.put("apiVersion", apiVersion);
      json.put("kind", kind);
    }
    return json;
  }

  private static ObjectNode secret(Reader reader) {
    ObjectNode secret = NODES.objectNode();
    reader.fields((field, value) -> {
      switch (field) {
        case 1 -> secret.set("metadata", objectMeta(value.message()));
        case 2 -> mapEntry(secret.with("data"), value, true);
        case 3 -> secret.put("type", value.string());
        case 4 -> mapEntry(secret.with("stringData"), value, false);
        case 5 -> secret.put("immutable", value.varint() != 0);
        default -> { }
      }
    });
    return secret;
  }

  private static ObjectNode configMap(Reader reader) {
    ObjectNode configMap = NODES.objectNode();
    reader.fields((field, value) -> {
      switch (field) {
        case 1 -> configMap.set("metadata", objectMeta(value.message()));
        case 2 -> mapEntry(configMap.with("data"), value, false);
        case 3 -> mapEntry(configMap.with("binaryData"), value, true);
        case 4 -> configMap.put("immutable", value.varint() != 0);
        default -> { }
      }
    });
    return configMap;
  }

  private static ObjectNode namespace(Reader reader) {
    ObjectNode namespace = NODES.objectNode();
    reader.fields((field, value) -> {
      if (field == 1) {
        namespace.set("metadata", objectMeta(value.message()));
      } else if (field == 2) {
        ArrayNode finalizers = NODES.arrayNode();
        value.message().fields((spec, v) -> {
          if (spec == 1) {
            finalizers.add(v.string());
          }
        });
        namespace.putObject("spec").set("finalizers", finalizers);
      }
    });
    return namespace;
  }

  private static ObjectNode deleteOptions(Reader reader) {
    ObjectNode options = NODES.objectNode();
    reader.fields((field, value) -> {
      switch (field) {
        case 1 -> options.put("gracePeriodSeconds", value.varint());
        case 2 -> {
          ObjectNode preconditions = options.putObject("preconditions");
          value.message().fields((p, v) -> {
            if (p == 1) {
              preconditions.put("uid", v.string());
            } else if (p == 2) {
              preconditions.put("resourceVersion", v.string());
            }
          });
        }
        case 3 -> options.put("orphanDependents", value.varint() != 0);
        case 4 -> options.put("propagationPolicy", value.string());
        case 5 -> options.withArray("dryRun").add(value.string());
        default -> { }
      }
    });
    return options;
  }

  /**
   * kubectl auth can-i (k8s.io/api/authorization/v1/generated.proto): metadata = 1, spec = 2
   * {resourceAttributes = 1 {namespace, verb, group, version, resource, subresource, name = 1..7},
   * nonResourceAttributes = 2 {path = 1, verb = 2}}.
   */
  private static ObjectNode selfSubjectAccessReview(Reader reader) {
    ObjectNode review = NODES.objectNode();
    reader.fields((field, value) -> {
      if (field == 1) {
        review.set("metadata", objectMeta(value.message()));
      } else if (field == 2) {
        ObjectNode spec = review.putObject("spec");
        value.message().fields((attributes, v) -> {
          if (attributes == 1) {
            spec.set("resourceAttributes", strings(v.message(), "namespace", "verb", "group",
                "version", "resource", "subresource", "name"));
          } else if (attributes == 2) {
            spec.set("nonResourceAttributes", strings(v.message(), "path", "verb"));
          }
        });
      }
    });
    return review;
  }

  /** kubectl auth can-i --list: metadata = 1, spec = 2 {namespace = 1}. */
  private static ObjectNode selfSubjectRulesReview(Reader reader) {
    ObjectNode review = NODES.objectNode();
    reader.fields((field, value) -> {
      if (field == 1) {
        review.set("metadata", objectMeta(value.message()));
      } else if (field == 2) {
        review.set("spec", strings(value.message(), "namespace"));
      }
    });
    return review;
  }

  /** A message of string fields, numbered from 1 in the order given; the empty ones left out. */
  private static ObjectNode strings(Reader reader, String... names) {
    ObjectNode message = NODES.objectNode();
    reader.fields((field, value) -> {
      if (field >= 1 && field <= names.length) {
        putNonEmpty(message, names[field - 1], value.string());
      }
    });
    return message;
  }

  /** ObjectMeta's fields a client sets (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto). */
  private static ObjectNode objectMeta(Reader reader) {
    ObjectNode metadata = NODES.objectNode();
    reader.fields((field, value) -> {
      switch (field) {
        case 1 -> putNonEmpty(metadata, "name", value.string());
        case 2 -> putNonEmpty(metadata, "generateName", value.string());
        case 3 -> putNonEmpty(metadata, "namespace", value.string());
        case 5 -> putNonEmpty(metadata, "uid", value.string());
        case 6 -> putNonEmpty(metadata, "resourceVersion", value.string());
        case 8 -> time(value.message()).ifPresent(t -> metadata.put("creationTimestamp", t));
        case 11 -> mapEntry(metadata.with("labels"), value, false);
        case 12 -> mapEntry(metadata.with("annotations"), value, false);
        case 14 -> metadata.withArray("finalizers").add(value.string());
        default -> { } // server-owned or not written by these clients
      }
    });
    return metadata;
  }

  private static java.util.Optional<String> time(Reader reader) {
    long[] seconds = {0};
    reader.fields((field, value) -> {
      if (field == 1) {
        seconds[0] = value.varint();
      }
    });
    return seconds[0] == 0 ? java.util.Optional.empty()
        : java.util.Optional.of(DateTimeFormatter.ISO_INSTANT.format(
            Instant.ofEpochSecond(seconds[0])));
  }

  private static void putNonEmpty(ObjectNode node, String field, String value) {
    if (!value.isEmpty()) {
      node.put(field, value);
    }
  }

  /** A map entry (key = 1, value = 2); bytes values become base64, as in JSON. */
  private static void mapEntry(ObjectNode map, Value entry, boolean bytes) {
    String[] key = {""};
    Object[] value = {bytes ? new byte[0] : ""};
    entry.message().fields((field, v) -> {
      if (field == 1) {
        key[0] = v.string();
      } else if (field == 2) {
        value[0] = bytes ? v.bytes() : v.string();
      }
    });
    map.put(key[0], bytes ? Base64.getEncoder().encodeToString((byte[]) value[0])
        : (String) value[0]);
  }

  /** One field's value: a varint, or a length-delimited slice. */
  private record Value(byte[] buffer, int start, int end, long number) {

    long varint() {
      return number;
    }

    byte[] bytes() {
      return java.util.Arrays.copyOfRange(buffer, start, end);
    }

    String string() {
      return new String(buffer, start, end - start, StandardCharsets.UTF_8);
    }

    Reader message() {
      return new Reader(buffer, start, end);
    }
  }

  /** The protobuf wire format: tag (field number, wire type), then the value. */
  private record Reader(byte[] buffer, int start, int end) {

    void fields(BiConsumer<Integer, Value> each) {
      int[] position = {start};
      while (position[0] < end) {
        long tag = varint(position);
        int field = (int) (tag >>> 3);
        int wireType = (int) (tag & 7);
        switch (wireType) {
          case 0 -> each.accept(field, new Value(buffer, 0, 0, varint(position)));
          case 1 -> position[0] += 8;
          case 2 -> {
            int length = (int) varint(position);
            if (length < 0 || position[0] + length > end) {
              throw malformed();
            }
            each.accept(field, new Value(buffer, position[0], position[0] + length, 0));
            position[0] += length;
          }
          case 5 -> position[0] += 4;
          default -> throw malformed();
        }
      }
    }

    private long varint(int[] position) {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position[0] >= end) {
          throw malformed();
        }
        byte b = buffer[position[0]++];
        result |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw malformed();
    }

    private static ApiErrors.ApiException malformed() {
      return new ApiErrors.ApiException(400, "BadRequest", "the protobuf body is "
          + "malformed");
    }
  }
}
