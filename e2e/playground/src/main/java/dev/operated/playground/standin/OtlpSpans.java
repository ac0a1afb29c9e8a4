package dev.operated.playground.standin;

import java.util.ArrayList;
import java.util.List;

/**
 * The names of the spans in an OTLP {@code ExportTraceServiceRequest}, read from its protobuf
 * wire format (opentelemetry-proto's trace_service.proto and trace.proto): request field 1
 * {@code resource_spans}, in it field 2 {@code scope_spans}, in it field 2 {@code spans}, in each
 * span field 5 {@code name}. Everything else is skipped by its wire type, so the stand-in needs no
 * generated classes.
 */
final class OtlpSpans {

  private static final int RESOURCE_SPANS = 1;
  private static final int SCOPE_SPANS = 2;
  private static final int SPANS = 2;
  private static final int SPAN_NAME = 5;

  private OtlpSpans() {
  }

  static List<String> names(byte[] exportTraceServiceRequest) {
    List<String> names = new ArrayList<>();
    for (Field resourceSpans : fields(exportTraceServiceRequest, 0, exportTraceServiceRequest.length)) {
      if (resourceSpans.number != RESOURCE_SPANS) {
        continue;
      }
      for (Field scopeSpans : fields(exportTraceServiceRequest, resourceSpans.from, resourceSpans.to)) {
        if (scopeSpans.number != SCOPE_SPANS) {
          continue;
        }
        for (Field span : fields(exportTraceServiceRequest, scopeSpans.from, scopeSpans.to)) {
          if (span.number != SPANS) {
            continue;
          }
          String name = "";
          for (Field field : fields(exportTraceServiceRequest, span.from, span.to)) {
            if (field.number == SPAN_NAME) {
              name = new String(exportTraceServiceRequest, field.from, field.to - field.from,
                  java.nio.charset.StandardCharsets.UTF_8);
            }
          }
          names.add(name);
        }
      }
    }
    return names;
  }

  /** A length-delimited field's number and where its bytes are. */
  private record Field(int number, int from, int to) {
  }

  /** The length-delimited fields between {@code from} and {@code to}; others are skipped. */
  private static List<Field> fields(byte[] bytes, int from, int to) {
    List<Field> fields = new ArrayList<>();
    int[] at = {from};
    while (at[0] < to) {
      long tag = varint(bytes, at);
      int number = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case 0 -> varint(bytes, at);
        case 1 -> at[0] += 8;
        case 5 -> at[0] += 4;
        case 2 -> {
          int length = (int) varint(bytes, at);
          if (length < 0 || at[0] + length > to) {
            throw new IllegalArgumentException("truncated field " + number + " at " + at[0]);
          }
          fields.add(new Field(number, at[0], at[0] + length));
          at[0] += length;
        }
        default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " of field "
            + number + " at " + at[0] + " is not protobuf's");
      }
    }
    return fields;
  }

  private static long varint(byte[] bytes, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at[0] >= bytes.length) {
        throw new IllegalArgumentException("truncated varint");
      }
      byte b = bytes[at[0]++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }
}
