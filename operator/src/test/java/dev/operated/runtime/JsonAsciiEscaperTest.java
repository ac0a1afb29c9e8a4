package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What fabric8's HTTP watch is handed ({@link AsciiWatchBodies}): ASCII that a JSON parser reads
 * back as the text that was sent, however the stream was cut into chunks.
 */
class JsonAsciiEscaperTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEXT = "a é ß 日本 🚀 \\\" \uFFFF \u0080 z";

  @Test
  void everyCutOfTheStreamReadsBackAsTheTextSent() throws Exception {
    byte[] utf8 = JSON.writeValueAsBytes(TEXT);
    for (int cut = 0; cut <= utf8.length; cut++) {
      for (int second = cut; second <= utf8.length; second++) {
        JsonAsciiEscaper escaper = new JsonAsciiEscaper();
        StringBuilder ascii = new StringBuilder();
        for (byte[] chunk : List.of(Arrays.copyOfRange(utf8, 0, cut),
            Arrays.copyOfRange(utf8, cut, second), Arrays.copyOfRange(utf8, second, utf8.length))) {
          ascii.append(asciiOf(escaper.escape(List.of(ByteBuffer.wrap(chunk)))));
        }
        assertThat(ascii.chars()).as("cut at %d and %d", cut, second).allMatch(c -> c < 0x80);
        assertThat(JSON.readValue(ascii.toString(), String.class))
            .as("cut at %d and %d", cut, second).isEqualTo(TEXT);
      }
    }
  }

  @Test
  void aByteAtATimeToo() throws Exception {
    byte[] utf8 = JSON.writeValueAsBytes(TEXT);
    JsonAsciiEscaper escaper = new JsonAsciiEscaper();
    StringBuilder ascii = new StringBuilder();
    for (byte b : utf8) {
      ascii.append(asciiOf(escaper.escape(List.of(ByteBuffer.wrap(new byte[] {b})))));
    }
    assertThat(JSON.readValue(ascii.toString(), String.class)).isEqualTo(TEXT);
  }

  /**
   * Bytes that are no UTF-8 become U+FFFD, one per maximal subpart as the Unicode standard
   * recommends (chapter 3, "U+FFFD Substitution of Maximal Subparts"); a character not finished
   * yet waits for the next chunk.
   */
  @Test
  void bytesThatAreNoUtf8BecomeTheReplacementCharacter() throws Exception {
    Map<String, byte[]> broken = new LinkedHashMap<>();
    broken.put("\uFFFD", new byte[] {(byte) 0xFF});
    broken.put("\uFFFDx", new byte[] {(byte) 0xC3, 'x'}); // cut short by an ASCII byte
    broken.put("\uFFFD\uFFFD", new byte[] {(byte) 0xC0, (byte) 0xAF}); // an overlong '/'
    // a surrogate, which UTF-8 may not carry (the standard's own example)
    broken.put("\uFFFD\uFFFD\uFFFD", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    broken.put("\uFFFD\uFFFD\uFFFD\uFFFD",
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}); // past U+10FFFF
    broken.put("", new byte[] {(byte) 0xE2, (byte) 0x82}); // the rest may come next
    for (Map.Entry<String, byte[]> entry : broken.entrySet()) {
      String ascii = asciiOf(new JsonAsciiEscaper().escape(
          List.of(ByteBuffer.wrap(entry.getValue()))));
      assertThat(JSON.readValue("\"" + ascii + "\"", String.class))
          .as(Arrays.toString(entry.getValue())).isEqualTo(entry.getKey());
    }
  }

  @Test
  void asciiIsHandedOnAsItCame() {
    List<ByteBuffer> ascii = List.of(ByteBuffer.wrap("{\"type\":\"ADDED\"}\n".getBytes(
        StandardCharsets.US_ASCII)));
    assertThat(new JsonAsciiEscaper().escape(ascii)).isSameAs(ascii);
  }

  @Test
  void onlyWatchesAreEscaped() {
    assertThat(AsciiWatchBodies.isWatch(request("/api/v1/pods?allowWatchBookmarks=true"
        + "&resourceVersion=7&timeoutSeconds=600&watch=true"))).isTrue();
    assertThat(AsciiWatchBodies.isWatch(request("/api/v1/pods?watch=1"))).isTrue();
    assertThat(AsciiWatchBodies.isWatch(request("/api/v1/pods?limit=500"))).isFalse();
    assertThat(AsciiWatchBodies.isWatch(request("/api/v1/namespaces/shop/pods/a/log?follow=true")))
        .isFalse();
    assertThat(AsciiWatchBodies.isWatch(request("/version"))).isFalse();
  }

  private static HttpRequest request(String pathAndQuery) {
    return new StandardHttpRequest.Builder().uri("https://10.0.0.1:6443" + pathAndQuery).build();
  }

  private static String asciiOf(List<ByteBuffer> buffers) {
    StringBuilder out = new StringBuilder();
    for (ByteBuffer buffer : buffers) {
      out.append(StandardCharsets.ISO_8859_1.decode(buffer.duplicate()));
    }
    return out.toString();
  }
}
