package io.vmsaga.agent.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmInfo;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client's handling of what an agent, or what stands in for one, may answer over HTTP. */
class AgentClientTest {
  private static final String TOKEN = "t-secret";
  private static final String VM_JSON =
      "{\"vm_id\":\"vm1\",\"state\":\"running\",\"pid\":42,\"qmp_connected\":true}";
  private static final WireMockServer AGENT = new WireMockServer(wireMockConfig().dynamicPort());

  private AgentClient client;

  @BeforeAll
  static void startAgent() {
    AGENT.start();
  }

  @AfterAll
  static void stopAgent() {
    AGENT.stop();
  }

  @BeforeEach
  void newClient() {
    AGENT.resetAll();
    client = clientFor(AGENT.port(), Duration.ofSeconds(2));
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  private static AgentClient clientFor(int port, Duration timeout) {
    return new AgentClient(URI.create("http://127.0.0.1:" + port), TOKEN, timeout);
  }

  private static AgentException failing(Executable call) {
    return assertThrows(AgentException.class, call);
  }

  private static void assertUnavailable(AgentException e) {
    assertEquals(0, e.status(), e.toString());
    assertEquals("unavailable", e.code());
    assertTrue(e.isRetryable());
  }

  @Test
  void noAnswerWithinTheTimeoutIsRetryable() {
    AGENT.stubFor(get("/v1/health").willReturn(okJson("{}").withFixedDelay(3_000)));
    client.close();
    client = clientFor(AGENT.port(), Duration.ofMillis(300));
    long startNanos = System.nanoTime();
    assertUnavailable(failing(client::health));
    assertTrue(Duration.ofNanos(System.nanoTime() - startNanos).toMillis() < 2_000);
  }

  @Test
  void withTimeoutBoundsOneCallOnTheSharedClient() {
    AGENT.stubFor(get("/v1/health").willReturn(okJson("{}").withFixedDelay(3_000)));
    long startNanos = System.nanoTime();
    assertUnavailable(failing(() -> client.withTimeout(Duration.ofMillis(300)).health()));
    assertTrue(Duration.ofNanos(System.nanoTime() - startNanos).toMillis() < 2_000);
  }

  @Test
  void serverErrorWithTheAgentsBodyKeepsCodeAndMessage() {
    AGENT.stubFor(
        put("/v1/vms/vm1/actions")
            .willReturn(
                aResponse()
                    .withStatus(503)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"code\":\"unavailable\",\"message\":\"QMP did not answer\"}")));
    AgentException e = failing(() -> client.action("vm1", VmAction.of(VmAction.Action.PAUSE)));
    assertEquals(503, e.status());
    assertEquals("unavailable", e.code());
    assertEquals("QMP did not answer", e.getMessage());
    assertTrue(e.isRetryable());
  }

  @Test
  void serverErrorWithoutJsonIsUnavailableByStatus() {
    AGENT.stubFor(
        get("/v1/node")
            .willReturn(
                aResponse()
                    .withStatus(502)
                    .withHeader("Content-Type", "text/html")
                    .withBody("<html>Bad Gateway</html>")));
    AgentException e = failing(client::node);
    assertEquals(502, e.status());
    assertEquals("unavailable", e.code());
    assertEquals("HTTP 502", e.getMessage());
    assertTrue(e.isRetryable());
  }

  @Test
  void clientErrorWithTheAgentsBodyIsKeptAndNotRetryable() {
    AGENT.stubFor(
        delete("/v1/vms/vm1")
            .willReturn(
                aResponse()
                    .withStatus(409)
                    .withBody(
                        "{\"code\":\"conflict\",\"message\":\"VM is running; stop it first\"}")));
    AgentException e = failing(() -> client.deleteVm("vm1"));
    assertEquals(409, e.status());
    assertEquals("conflict", e.code());
    assertEquals("VM is running; stop it first", e.getMessage());
    assertFalse(e.isRetryable());
  }

  @Test
  void clientErrorWithoutJsonIsInvalidByStatus() {
    AGENT.stubFor(
        put(urlPathEqualTo("/v1/pools/local/disks/d1"))
            .willReturn(aResponse().withStatus(400).withBody("bad request")));
    AgentException e = failing(() -> client.putDisk("local", "d1", DiskSpec.ofMib(64)));
    assertEquals(400, e.status());
    assertEquals("invalid", e.code());
    assertFalse(e.isRetryable());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"vm_id\":\"vm1\",\"state\":",
        "not json at all",
        "[1, 2, 3]",
        "{\"vm_id\":\"vm1\",\"pid\":\"forty-two\"}",
        "null",
        ""
      })
  void aBrokenBodyOn200IsAnAgentExceptionNotJacksons(String body) {
    AGENT.stubFor(get("/v1/vms/vm1").willReturn(okJson(body)));
    AgentException e = failing(() -> client.getVm("vm1"));
    assertEquals(200, e.status(), e.toString());
    assertEquals("internal", e.code());
    assertFalse(e.isRetryable(), "the same agent would answer the same");
  }

  @Test
  void aBodyCutOffByTheConnectionIsRetryable() {
    AGENT.stubFor(
        get("/v1/vms/vm1").willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
    assertUnavailable(failing(() -> client.getVm("vm1")));
    AGENT.stubFor(
        get("/v1/node").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    assertUnavailable(failing(client::node));
  }

  @Test
  void aSlowBodyWithinTheTimeoutArrives() {
    AGENT.stubFor(get("/v1/vms/vm1").willReturn(okJson(VM_JSON).withChunkedDribbleDelay(5, 500)));
    VmInfo vm = client.getVm("vm1").orElseThrow();
    assertEquals(42L, vm.pid());
  }

  /** The HttpClient's own request timeout stops at the headers; the client's covers the body. */
  @Test
  void aSlowBodyBeyondTheTimeoutIsAbandoned() {
    AGENT.stubFor(get("/v1/vms/vm1").willReturn(okJson(VM_JSON).withChunkedDribbleDelay(8, 6_000)));
    client.close();
    client = clientFor(AGENT.port(), Duration.ofSeconds(1));
    long startNanos = System.nanoTime();
    assertUnavailable(failing(() -> client.getVm("vm1")));
    assertTrue(Duration.ofNanos(System.nanoTime() - startNanos).toMillis() < 4_000);
  }

  @Test
  void connectionRefusedIsRetryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (AgentClient nobody = clientFor(closedPort, Duration.ofSeconds(2))) {
      AgentException e = failing(nobody::health);
      assertUnavailable(e);
      assertTrue(e.getCause() instanceof ConnectException, String.valueOf(e.getCause()));
    }
  }

  @Test
  void notFoundOnAnOptionalGetIsEmpty() {
    AGENT.stubFor(
        any(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withBody("{\"code\":\"not_found\",\"message\":\"no such thing\"}")));
    assertTrue(client.getDisk("local", "d1").isEmpty());
    assertTrue(client.getTap("vtt0").isEmpty());
    assertTrue(client.getVm("vm1").isEmpty());
    assertEquals(404, failing(() -> client.status("vm1")).status(), "not optional: thrown");
  }

  @Test
  void otherErrorsOnAnOptionalGetAreThrown() {
    AGENT.stubFor(
        get("/v1/vms/vm1")
            .willReturn(aResponse().withStatus(503).withBody("{\"code\":\"unavailable\"}")));
    assertEquals(503, failing(() -> client.getVm("vm1")).status());
  }

  @Test
  void everyCallCarriesTheBearerTokenAndWithGidTheGid() {
    AGENT.stubFor(get("/v1/health").willReturn(okJson("{\"status\":\"ok\",\"node_id\":\"n1\"}")));
    client.health();
    client.withGid("gid-42").health();
    AGENT.verify(
        2,
        getRequestedFor(urlEqualTo("/v1/health"))
            .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    AGENT.verify(
        1,
        getRequestedFor(urlEqualTo("/v1/health"))
            .withHeader(AgentClient.GID_HEADER, equalTo("gid-42")));
    AGENT.verify(
        1, getRequestedFor(urlEqualTo("/v1/health")).withoutHeader(AgentClient.GID_HEADER));
  }

  @Test
  void copiesShareTheHttpClientAndCallsReuseOneConnection() throws Exception {
    AGENT.stubFor(get("/v1/health").willReturn(okJson("{\"status\":\"ok\",\"node_id\":\"n1\"}")));
    try (ConnectionCounter counter = new ConnectionCounter(AGENT.port());
        AgentClient agent = clientFor(counter.port(), Duration.ofSeconds(2))) {
      assertSame(agent.httpClient(), agent.withGid("g1").httpClient());
      assertSame(agent.httpClient(), agent.withTimeout(Duration.ofSeconds(5)).httpClient());
      assertSame(
          agent.httpClient(), agent.withGid("g1").withTimeout(Duration.ofSeconds(5)).httpClient());
      assertNotSame(
          agent.httpClient(), client.httpClient(), "one HttpClient per constructed client");
      for (int i = 0; i < 20; i++) {
        agent.withGid("gid-" + i).health();
      }
      AGENT.verify(20, getRequestedFor(urlEqualTo("/v1/health")));
      assertEquals(1, counter.connections(), "20 sequential calls on one kept-alive connection");
    }
  }
}
