package io.vmsaga.agent.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.FencedVm;
import io.vmsaga.agent.api.FencingReport;
import io.vmsaga.agent.api.LeaseInfo;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmDiskInfo;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNicInfo;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

  private static AgentException failing(ThrowingCallable call) {
    return assertThatExceptionOfType(AgentException.class).isThrownBy(call).actual();
  }

  private static void assertUnavailable(AgentException e) {
    assertThat(e.status()).as(e.toString()).isEqualTo(0);
    assertThat(e.code()).isEqualTo("unavailable");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void noAnswerWithinTheTimeoutIsRetryable() {
    AGENT.stubFor(get("/v1/health").willReturn(okJson("{}").withFixedDelay(3_000)));
    client.close();
    client = clientFor(AGENT.port(), Duration.ofMillis(300));
    long startNanos = System.nanoTime();
    assertUnavailable(failing(client::health));
    assertThat(Duration.ofNanos(System.nanoTime() - startNanos).toMillis() < 2_000).isTrue();
  }

  @Test
  void withTimeoutBoundsOneCallOnTheSharedClient() {
    AGENT.stubFor(get("/v1/health").willReturn(okJson("{}").withFixedDelay(3_000)));
    long startNanos = System.nanoTime();
    assertUnavailable(failing(() -> client.withTimeout(Duration.ofMillis(300)).health()));
    assertThat(Duration.ofNanos(System.nanoTime() - startNanos).toMillis() < 2_000).isTrue();
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
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.code()).isEqualTo("unavailable");
    assertThat(e.getMessage()).isEqualTo("QMP did not answer");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void diskAttachmentsAreSubResourcesOfTheVm() {
    AGENT.stubFor(
        put("/v1/vms/vm1/disks/d1")
            .withRequestBody(equalToJson("{\"pool\":\"shared\"}"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"pool\":\"shared\",\"disk_id\":\"d1\",\"slot\":1,"
                            + "\"device_id\":\"virtio-disk1\",\"live\":true}")));
    assertThat(client.attachDisk("vm1", "d1", "shared"))
        .isEqualTo(new VmDiskInfo("shared", "d1", 1, "virtio-disk1", true));
    AGENT.stubFor(
        get("/v1/vms/vm1/disks")
            .willReturn(
                okJson(
                    "[{\"pool\":\"local\",\"disk_id\":\"r1\",\"slot\":0,"
                        + "\"device_id\":\"virtio-disk0\",\"live\":false}]")));
    assertThat(client.vmDisks("vm1"))
        .containsExactly(new VmDiskInfo("local", "r1", 0, "virtio-disk0", false));
    AGENT.stubFor(
        delete(urlPathEqualTo("/v1/vms/vm1/disks/d1"))
            .withQueryParam("timeout_ms", equalTo("10000"))
            .willReturn(aResponse().withStatus(204)));
    client.detachDisk("vm1", "d1");
    AGENT.verify(deleteRequestedFor(urlEqualTo("/v1/vms/vm1/disks/d1?timeout_ms=10000")));
  }

  @Test
  void nicAttachmentsAreSubResourcesOfTheVm() {
    AGENT.stubFor(
        put("/v1/vms/vm1/nics/n1")
            .withRequestBody(equalToJson("{\"tap\":\"vt1\",\"mac\":\"52:54:00:00:00:02\"}"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"nic_id\":\"n1\",\"tap\":\"vt1\",\"mac\":\"52:54:00:00:00:02\","
                            + "\"slot\":1,\"device_id\":\"nic1\",\"live\":true,"
                            + "\"pci_path\":\"00:12.0/00.0\",\"tap_state\":\"ok\"}")));
    VmNicInfo plugged =
        new VmNicInfo("n1", "vt1", "52:54:00:00:00:02", 1, "nic1", true, "00:12.0/00.0", "ok");
    assertThat(client.attachNic("vm1", "n1", "vt1", "52:54:00:00:00:02")).isEqualTo(plugged);
    AGENT.stubFor(
        put("/v1/vms/vm1/nics/n1/tap")
            .willReturn(
                okJson(
                    "{\"nic_id\":\"n1\",\"tap\":\"vt1\",\"mac\":\"52:54:00:00:00:02\","
                        + "\"slot\":1,\"device_id\":\"nic1\",\"live\":true,"
                        + "\"pci_path\":\"00:12.0/00.0\",\"tap_state\":\"ok\"}")));
    assertThat(client.repairNicTap("vm1", "n1")).isEqualTo(plugged);
    AGENT.verify(putRequestedFor(urlEqualTo("/v1/vms/vm1/nics/n1/tap")));
    AGENT.stubFor(
        get("/v1/vms/vm1/nics")
            .willReturn(
                okJson(
                    "[{\"nic_id\":\"nic0\",\"tap\":\"vt0\",\"mac\":\"52:54:00:00:00:01\","
                        + "\"slot\":0,\"device_id\":\"nic0\",\"live\":false}]")));
    assertThat(client.vmNics("vm1"))
        .containsExactly(
            new VmNicInfo("nic0", "vt0", "52:54:00:00:00:01", 0, "nic0", false, null, null));
    AGENT.stubFor(
        delete(urlPathEqualTo("/v1/vms/vm1/nics/n1")).willReturn(aResponse().withStatus(204)));
    client.detachNic("vm1", "n1");
    client.detachNic("vm1", "n1", Duration.ofMillis(500));
    AGENT.verify(deleteRequestedFor(urlEqualTo("/v1/vms/vm1/nics/n1?timeout_ms=10000")));
    AGENT.verify(deleteRequestedFor(urlEqualTo("/v1/vms/vm1/nics/n1?timeout_ms=500")));
  }

  @Test
  void theLeaseIsASubResourceOfTheVm() {
    AGENT.stubFor(
        put("/v1/vms/vm1/lease")
            .withRequestBody(equalToJson("{\"generation\":3}"))
            .willReturn(okJson("{\"vm_id\":\"vm1\",\"node_id\":\"n1\",\"generation\":3}")));
    assertThat(client.putLease("vm1", 3)).isEqualTo(new LeaseInfo("vm1", "n1", 3));
    AGENT.stubFor(
        get("/v1/vms/vm1/lease")
            .willReturn(okJson("{\"vm_id\":\"vm1\",\"node_id\":\"n2\",\"generation\":4}")));
    assertThat(client.getLease("vm1")).contains(new LeaseInfo("vm1", "n2", 4));
    AGENT.stubFor(
        delete(urlPathEqualTo("/v1/vms/vm1/lease")).willReturn(aResponse().withStatus(204)));
    client.deleteLease("vm1", 3);
    AGENT.verify(deleteRequestedFor(urlEqualTo("/v1/vms/vm1/lease?generation=3")));
    AGENT.stubFor(
        put("/v1/vms/vm1/lease")
            .willReturn(
                aResponse()
                    .withStatus(409)
                    .withBody("{\"code\":\"lease_newer\",\"message\":\"generation 4\"}")));
    AgentException e = failing(() -> client.putLease("vm1", 3));
    assertThat(e.code()).isEqualTo("lease_newer");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void fencingIsANodeResource() {
    String report =
        "{\"fenced\":[{\"vm_id\":\"vm1\",\"lease_node_id\":\"n2\",\"lease_generation\":5,"
            + "\"qemu_was_running\":true,\"at\":\"2026-01-02T03:04:05.123Z\"}]}";
    FencingReport expected =
        new FencingReport(
            List.of(new FencedVm("vm1", "n2", 5, true, Instant.parse("2026-01-02T03:04:05.123Z"))));
    AGENT.stubFor(put("/v1/fencing").willReturn(okJson(report)));
    assertThat(client.fence()).isEqualTo(expected);
    AGENT.stubFor(get("/v1/fencing").willReturn(okJson(report)));
    assertThat(client.fencing()).isEqualTo(expected);
    AGENT.verify(putRequestedFor(urlEqualTo("/v1/fencing")));
  }

  /** The agent may wait for the guest as long as asked: the call waits that long and more. */
  @Test
  void aDetachWaitsBeyondTheClientTimeoutForTheGuest() {
    AGENT.stubFor(
        delete(urlPathEqualTo("/v1/vms/vm1/disks/d1"))
            .withQueryParam("timeout_ms", equalTo("3000"))
            .willReturn(
                aResponse()
                    .withStatus(503)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"code\":\"unplug_pending\",\"message\":\"not yet\"}")
                    .withFixedDelay(3_000)));
    AgentException e = failing(() -> client.detachDisk("vm1", "d1", Duration.ofSeconds(3)));
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.code()).isEqualTo("unplug_pending");
    assertThat(e.isRetryable()).isTrue();
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
    assertThat(e.status()).isEqualTo(502);
    assertThat(e.code()).isEqualTo("unavailable");
    assertThat(e.getMessage()).isEqualTo("HTTP 502");
    assertThat(e.isRetryable()).isTrue();
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
    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("conflict");
    assertThat(e.getMessage()).isEqualTo("VM is running; stop it first");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void clientErrorWithoutJsonIsInvalidByStatus() {
    AGENT.stubFor(
        put(urlPathEqualTo("/v1/pools/local/disks/d1"))
            .willReturn(aResponse().withStatus(400).withBody("bad request")));
    AgentException e = failing(() -> client.putDisk("local", "d1", DiskSpec.ofMib(64)));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("invalid");
    assertThat(e.isRetryable()).isFalse();
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
    assertThat(e.status()).as(e.toString()).isEqualTo(200);
    assertThat(e.code()).isEqualTo("internal");
    assertThat(e.isRetryable()).as("the same agent would answer the same").isFalse();
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
    assertThat(vm.pid()).isEqualTo(42L);
  }

  /** The HttpClient's own request timeout stops at the headers; the client's covers the body. */
  @Test
  void aSlowBodyBeyondTheTimeoutIsAbandoned() {
    AGENT.stubFor(get("/v1/vms/vm1").willReturn(okJson(VM_JSON).withChunkedDribbleDelay(8, 6_000)));
    client.close();
    client = clientFor(AGENT.port(), Duration.ofSeconds(1));
    long startNanos = System.nanoTime();
    assertUnavailable(failing(() -> client.getVm("vm1")));
    assertThat(Duration.ofNanos(System.nanoTime() - startNanos).toMillis() < 4_000).isTrue();
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
      assertThat(e.getCause() instanceof ConnectException)
          .as(String.valueOf(e.getCause()))
          .isTrue();
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
    assertThat(client.getDisk("local", "d1").isEmpty()).isTrue();
    assertThat(client.getTap("vtt0").isEmpty()).isTrue();
    assertThat(client.getVm("vm1").isEmpty()).isTrue();
    assertThat(client.getLease("vm1").isEmpty()).isTrue();
    assertThat(failing(() -> client.status("vm1")).status())
        .as("not optional: thrown")
        .isEqualTo(404);
  }

  @Test
  void otherErrorsOnAnOptionalGetAreThrown() {
    AGENT.stubFor(
        get("/v1/vms/vm1")
            .willReturn(aResponse().withStatus(503).withBody("{\"code\":\"unavailable\"}")));
    assertThat(failing(() -> client.getVm("vm1")).status()).isEqualTo(503);
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
      assertThat(agent.withGid("g1").httpClient()).isSameAs(agent.httpClient());
      assertThat(agent.withTimeout(Duration.ofSeconds(5)).httpClient())
          .isSameAs(agent.httpClient());
      assertThat(agent.withGid("g1").withTimeout(Duration.ofSeconds(5)).httpClient())
          .isSameAs(agent.httpClient());
      assertThat(client.httpClient())
          .as("one HttpClient per constructed client")
          .isNotSameAs(agent.httpClient());
      for (int i = 0; i < 20; i++) {
        agent.withGid("gid-" + i).health();
      }
      AGENT.verify(20, getRequestedFor(urlEqualTo("/v1/health")));
      assertThat(counter.connections())
          .as("20 sequential calls on one kept-alive connection")
          .isEqualTo(1);
    }
  }
}
