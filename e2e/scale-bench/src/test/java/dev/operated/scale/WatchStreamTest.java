package dev.operated.scale;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The watch reads only what is timed, and must read it from where it is, not from look-alikes. */
class WatchStreamTest {

  @Test
  void readsTheTimedFieldsOfEachEventInAStreamAndNothingNestedUnderOthers() throws IOException {
    String stream = """
        {"type":"ADDED","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{\
        "name":"orders","namespace":"shop","resourceVersion":"17","managedFields":[{"manager":\
        "operated","fieldsV1":{"f:metadata":{"f:name":{}}}}],"labels":{"name":"not-this"}},\
        "spec":{"replicas":3,"template":{"spec":{"replicas":9}}},"status":{"availableReplicas":2,\
        "conditions":[{"type":"Available","status":"False"},{"type":"Progressing","status":"True",\
        "reason":"NewReplicaSetAvailable"}]}}}
        {"object":{"metadata":{"name":"payments","namespace":"shop","resourceVersion":"18"},\
        "status":{"conditions":[{"status":"True","type":"Ready"}]}},"type":"MODIFIED"}
        {"type":"ERROR","object":{"kind":"Status","code":410,"status":"Failure"}}
        """;

    List<WatchStream.Observed> events = new ArrayList<>();
    try (JsonParser parser = new JsonFactory().createParser(stream)) {
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        events.add(WatchStream.event(parser));
      }
    }

    assertThat(events).containsExactly(
        new WatchStream.Observed("ADDED", "shop", "orders", "17", 3, 2, Set.of("Progressing")),
        new WatchStream.Observed("MODIFIED", "shop", "payments", "18", 1, 0, Set.of("Ready")),
        new WatchStream.Observed("ERROR", null, null, null, 1, 0, Set.of()));
  }
}
