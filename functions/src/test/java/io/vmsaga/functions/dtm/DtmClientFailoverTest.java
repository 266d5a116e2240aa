package io.vmsaga.functions.dtm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * The client's edge cases between two servers (the real pair is DtmFailoverE2ETest): a server that
 * does not answer is skipped and the next one stays in use; an error answer is not sent elsewhere.
 */
class DtmClientFailoverTest {
  WireMockServer second;
  URI dead;

  @BeforeEach
  void start() throws IOException {
    second = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").port(0));
    second.start();
    try (var free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = URI.create("http://127.0.0.1:" + free.getLocalPort()); // closed again: refused
    }
  }

  @AfterEach
  void stop() {
    second.stop();
  }

  @Test
  void aServerThatDoesNotAnswerIsSkippedAndTheOneThatAnswersStays() {
    second.stubFor(
        get(urlPathEqualTo("/api/dtmsvr/newGid"))
            .willReturn(aResponse().withBody("{\"gid\":\"g1\"}")));
    var client = new DtmClient(List.of(dead, URI.create(second.baseUrl())), new ObjectMapper());

    assertThat(client.newGid()).isEqualTo("g1");
    assertThat(client.liveServer()).isEqualTo(URI.create(second.baseUrl()));
    assertThat(client.newGid()).isEqualTo("g1");
    second.verify(2, getRequestedFor(urlPathEqualTo("/api/dtmsvr/newGid")));
  }

  @Test
  void anErrorAnswerIsNotRetriedElsewhere() {
    second.stubFor(
        get(urlPathEqualTo("/api/dtmsvr/newGid")).willReturn(aResponse().withStatus(500)));
    var client = new DtmClient(List.of(URI.create(second.baseUrl()), dead), new ObjectMapper());

    assertThatThrownBy(client::newGid).hasMessageContaining("answered 500");
    assertThat(client.liveServer()).isEqualTo(URI.create(second.baseUrl()));
  }

  @Test
  void noServerAnsweringSaysWhichWereTried() {
    var client = new DtmClient(List.of(dead), new ObjectMapper());

    assertThatThrownBy(client::newGid)
        .hasMessageContaining("no DTM server answers")
        .hasMessageContaining(dead.toString());
  }

  @Test
  void aListNamesEveryServer() {
    assertThat(DtmClient.servers(" http://a:1, http://b:2 ,"))
        .containsExactly(URI.create("http://a:1"), URI.create("http://b:2"));
  }
}
