package io.vmsaga.functions.dtm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.web.Replies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;

/**
 * The real DTM server (from `scripts/dev up`) drives two-step sagas whose branches are function
 * beans of this app over HTTP: the wiring every vmsaga saga rests on, including the 409 → rollback
 * path.
 */
// the stack's app already runs the timers; a second poller or sweeper here would race it
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "vmsaga.schedules.enabled=false")
class DtmWiringE2ETest {
  static final Queue<String> calls = new ConcurrentLinkedQueue<>();

  record Probe(BranchRef branch, boolean fail) {}

  @TestConfiguration
  static class ProbeFunctions {
    @Bean
    Function<Probe, Message<?>> probeAction() {
      return probe -> {
        calls.add("action:" + probe.branch().gid() + ":" + probe.branch().branchId());
        return probe.fail()
            ? Replies.failure("probe_failed", "told to fail")
            : Replies.ok(Map.of("ok", true));
      };
    }

    @Bean
    Function<Probe, Message<?>> probeCompensate() {
      return probe -> {
        calls.add("compensate:" + probe.branch().gid() + ":" + probe.branch().branchId());
        return Replies.ok(Map.of("ok", true));
      };
    }
  }

  @LocalServerPort int port;

  @Autowired DtmClient dtm;

  @Autowired tools.jackson.databind.ObjectMapper json;

  @BeforeEach
  void clear() {
    calls.clear();
  }

  @Test
  void sagaOfSucceedingStepsEndsSucceed() throws Exception {
    String gid = dtm.newGid();
    submit(
        Saga.named("wiring", gid)
            .step("probeAction", "probeCompensate", branch -> new Probe(branch, false))
            .step("probeAction", "probeCompensate", branch -> new Probe(branch, false)));

    Transaction result = awaitFinished(gid);

    assertThat(result.status()).isEqualTo("succeed");
    assertThat(result.count("action", "succeed")).isEqualTo(2);
    assertThat(dtm.status(gid)).as("the global row alone").contains(result.saga());
    assertThat(calls).containsExactly("action:" + gid + ":01", "action:" + gid + ":02");
  }

  @Test
  void failureOfSecondStepCompensatesTheFirstAndEndsFailed() throws Exception {
    String gid = dtm.newGid();
    submit(
        Saga.named("wiring", gid)
            .step("probeAction", "probeCompensate", branch -> new Probe(branch, false))
            .step("probeAction", "probeCompensate", branch -> new Probe(branch, true)));

    Transaction result = awaitFinished(gid);

    assertThat(result.status()).isEqualTo("failed");
    // DTM compensates in reverse order and includes the failed step's own compensation
    // (docs/design.md §3).
    assertThat(calls)
        .containsExactly(
            "action:" + gid + ":01",
            "action:" + gid + ":02",
            "compensate:" + gid + ":02",
            "compensate:" + gid + ":01");
    assertThat(result.count("compensate", "succeed")).isEqualTo(2);
    assertThat(dtm.status(gid).orElseThrow().failureBody()).contains("probe_failed");
    assertThat(dtm.status(gid)).contains(result.saga());
  }

  @Test
  void aGidDtmDoesNotKnowHasNoStatus() {
    assertThat(dtm.status(dtm.newGid())).isEmpty();
    assertThat(dtm.query(dtm.newGid())).isEmpty();
  }

  @Test
  void businessFailureAnswers409OverHttp() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/probeAction"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer secret")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"branch\":{\"gid\":\"g\",\"branchId\":\"01\"},\"fail\":true}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.body()).contains("probe_failed");
    assertThat(response.headers().firstValue(Replies.STATUS_HEADER)).isEmpty();
    assertThat(response.headers().firstValue("authorization"))
        .as("request headers are not echoed")
        .isEmpty();
  }

  private void submit(Saga saga) {
    dtm.submit(
        saga.timeoutToFail(Duration.ofSeconds(30))
            .toRequest("http://127.0.0.1:" + port, Map.of(), json));
  }

  private Transaction awaitFinished(String gid) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      var transaction = dtm.query(gid);
      if (transaction.isPresent() && transaction.get().finished()) {
        return transaction.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("saga " + gid + " did not finish in 30 s: " + dtm.query(gid));
  }
}
