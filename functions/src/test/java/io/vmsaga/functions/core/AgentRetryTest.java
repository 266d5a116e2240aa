package io.vmsaga.functions.core;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vmsaga.agent.client.AgentException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP edge cases of an agent call's retries (WireMock agent): a 503 is sent again with backoff
 * and mended inside the call; a 4xx never is; a run of failures opens the breaker, which stops the
 * retries. The real agent's breaker is AgentBreakerE2ETest.
 */
class AgentRetryTest {
  static final String HEALTHY = "{\"status\":\"ok\",\"node_id\":\"node-x\"}";
  WireMockServer agent;
  Agents agents;

  @BeforeEach
  void start() {
    agent = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").port(0));
    agent.start();
    agents = new Agents(nodeId -> agent.baseUrl(), "token", new SimpleMeterRegistry());
  }

  @AfterEach
  void stop() {
    agent.stop();
  }

  @Test
  void twoUnavailableAnswersAreMendedInsideTheCall() {
    answers(503, 503, 200);

    long started = System.nanoTime();
    assertThat(agents.on("node-x").health().nodeId()).isEqualTo("node-x");
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    agent.verify(3, getRequestedFor(urlPathEqualTo("/v1/health")));
    assertThat(tookMs).as("backoff 100 + 200 ms").isGreaterThanOrEqualTo(300);
    assertThat(agents.breakerState(agent.baseUrl())).isEqualTo("CLOSED");
  }

  @Test
  void aRefusalIsAnsweredAtOnce() {
    answers(400);

    assertThatThrownBy(() -> agents.on("node-x").health())
        .isInstanceOf(AgentException.class)
        .satisfies(e -> assertThat(((AgentException) e).isRetryable()).isFalse());
    agent.verify(1, getRequestedFor(urlPathEqualTo("/v1/health")));
  }

  @Test
  void failuresInARowOpenTheBreakerWhichEndsTheRetries() {
    answers(503, 503, 503, 503, 503);

    assertThatThrownBy(() -> agents.on("node-x").health())
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("circuit is open");
    agent.verify(Agents.FAILURES_TO_OPEN, getRequestedFor(urlPathEqualTo("/v1/health")));
    assertThat(agents.breakerState(agent.baseUrl())).isEqualTo("OPEN");
  }

  /** The agent's answers to GET /v1/health, in this order; the last one stays. */
  private void answers(int... statuses) {
    for (int i = 0; i < statuses.length; i++) {
      agent.stubFor(
          get(urlPathEqualTo("/v1/health"))
              .inScenario("answers")
              .whenScenarioStateIs(i == 0 ? STARTED : "after-" + i)
              .willReturn(
                  aResponse()
                      .withStatus(statuses[i])
                      .withHeader("Content-Type", "application/json")
                      .withBody(
                          statuses[i] == 200
                              ? HEALTHY
                              : "{\"code\":\"x\",\"message\":\"status " + statuses[i] + "\"}"))
              .willSetStateTo(i + 1 < statuses.length ? "after-" + (i + 1) : "after-" + i));
    }
  }
}
