package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Field selectors as fields.ParseSelector reads them and each kind's registry exposes them
 * (kubernetes/kubernetes pkg/registry/core/event/strategy.go and pod/strategy.go,
 * ToSelectableFields).
 */
class FieldSelectorsTest {

  private static final JsonNode EVENT = Storage.parse(("{'metadata':{'name':'e',"
      + "'namespace':'shop'},'type':'Warning','reason':'AppNotReady','involvedObject':{'kind':"
      + "'OperatedService','name':'sample-service','namespace':'shop','uid':'u-1'},'source':"
      + "{'component':'operated'}}").replace('\'', '"'));

  private static FieldSelectors.Selector selector(String plural, String raw) {
    return FieldSelectors.of(new ApiTarget("", "v1", "shop", plural, null, null,
        Map.of("fieldSelector", raw)));
  }

  @Test
  void whatKubectlDescribeAsksForAnObjectsEvents() {
    assertThat(selector("events", "involvedObject.name=sample-service,involvedObject"
        + ".namespace=shop,involvedObject.kind=OperatedService,involvedObject.uid=u-1")
        .matches(EVENT)).isTrue();
    assertThat(selector("events", "involvedObject.name=other").matches(EVENT)).isFalse();
    assertThat(selector("events", "involvedObject.uid=u-2").matches(EVENT)).isFalse();
  }

  @Test
  void equalsDoubleEqualsAndNotEquals() {
    assertThat(selector("events", "type==Warning").matches(EVENT)).isTrue();
    assertThat(selector("events", "type!=Warning").matches(EVENT)).isFalse();
    assertThat(selector("events", "type!=Normal,reason=AppNotReady,source=operated")
        .matches(EVENT)).isTrue();
    assertThat(selector("events", "metadata.name=e,metadata.namespace=shop").matches(EVENT))
        .isTrue();
  }

  @Test
  void anEmptyValueMatchesAMissingField() {
    JsonNode pending = Storage.parse("{\"spec\":{}}");
    assertThat(selector("pods", "spec.nodeName=").matches(pending)).isTrue();
    assertThat(selector("pods", "spec.nodeName!=").matches(pending)).isFalse();
  }

  @Test
  void aFieldTheKindDoesNotSupportIsRefusedNamingTheSupportedOnes() {
    assertThatThrownBy(() -> selector("pods", "spec.containers=x"))
        .isInstanceOf(ApiErrors.ApiException.class)
        .hasMessageStartingWith("field label not supported: spec.containers")
        .hasMessageContaining("status.phase");
    assertThatThrownBy(() -> selector("pods", "status.phase"))
        .hasMessageContaining("field=value");
  }
}
