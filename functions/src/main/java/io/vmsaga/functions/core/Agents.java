package io.vmsaga.functions.core;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.client.CallGuard;
import io.vmsaga.functions.dtm.BranchRef;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The host agent of a node, addressed through the node table; calls carry the saga's gid for the
 * agent's log. Each agent's calls go through its own circuit breaker (resilience4j): after {@link
 * #FAILURES_TO_OPEN} failures in a row that a retry could mend (no answer in time, refused, 5xx) it
 * opens, and for {@link #OPEN_FOR} every call fails at once with a retryable {@code unavailable}
 * instead of waiting out its timeout; then one call tries the agent again.
 *
 * <p>Inside the breaker, a call that failed that way is sent again after 100, 200, 400 ms
 * (resilience4j retry), while it is younger than {@link #RETRY_BUDGET}: every agent route is
 * idempotent (PUT, GET, DELETE and PATCH of a resource, the agent's contract), so a refused
 * connection, a reset or a 503 is mended inside the step, and a timeout, which spent the step's
 * time, is left to DTM's next try of the step. An open breaker is never retried.
 */
@Component
public class Agents {
  /** Below the saga's branch request timeout, so a slow agent is a retry, not a DTM timeout. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(6);

  public static final int FAILURES_TO_OPEN = 3;
  static final Duration OPEN_FOR = Duration.ofSeconds(5);

  /** How long after its first try a call may still be sent again: well inside a step's budget. */
  static final Duration RETRY_BUDGET = Duration.ofSeconds(2);

  static final int MAX_ATTEMPTS = 4;

  private static final CircuitBreakerConfig BREAKER =
      CircuitBreakerConfig.custom()
          .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
          .slidingWindowSize(FAILURES_TO_OPEN)
          .minimumNumberOfCalls(FAILURES_TO_OPEN)
          .failureRateThreshold(100)
          .waitDurationInOpenState(OPEN_FOR)
          .permittedNumberOfCallsInHalfOpenState(1)
          // an agent's answer that no retry changes (4xx) is the caller's business, not a fault
          .recordException(e -> e instanceof AgentException a && a.isRetryable())
          .build();

  private static final RetryConfig RETRY =
      RetryConfig.custom()
          .maxAttempts(MAX_ATTEMPTS)
          .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2))
          .build();

  private final NodeUrls urls;
  private final String token;
  private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(BREAKER);
  private final Map<String, AgentClient> clients = new ConcurrentHashMap<>();

  private final MeterRegistry meters;

  public Agents(NodeUrls urls, @Value("${vmsaga.agent-token}") String token, MeterRegistry meters) {
    this.urls = urls;
    this.token = token;
    this.meters = meters;
    // resilience4j_circuitbreaker_state{name=<agent URL>, state} and its calls, for every breaker
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
  }

  public AgentClient on(String nodeId, BranchRef branch) {
    return on(nodeId).withGid(branch.gid());
  }

  /** The agent URL the node was registered with, or null for an unknown node. */
  public String urlOf(String nodeId) {
    return urls.agentUrl(nodeId);
  }

  public AgentClient on(String nodeId) {
    String url = urls.agentUrl(nodeId);
    if (url == null) {
      throw new IllegalStateException("unknown node " + nodeId);
    }
    return at(url);
  }

  /**
   * The agent at a URL, before its node is registered too. One client per agent, kept: its
   * HttpClient keeps connections alive and owns one selector thread, so a client per call would
   * grow threads and sockets with every step.
   */
  public AgentClient at(String url) {
    return clients.computeIfAbsent(
        url,
        u ->
            new AgentClient(
                URI.create(u), token, CALL_TIMEOUT, guard(breakers.circuitBreaker(u), meters)));
  }

  /**
   * The agent at a URL for an administrator's explicit check (registerNode): its breaker is closed
   * first, so the check reaches the agent whatever earlier calls found — an agent just restarted is
   * registered at once, and one still down opens the breaker again.
   */
  public AgentClient checking(String url) {
    breakers.circuitBreaker(url).reset();
    return at(url);
  }

  /** The state of the breaker of the agent at this URL: CLOSED, OPEN, HALF_OPEN. */
  public String breakerState(String url) {
    return url == null ? null : breakers.circuitBreaker(url).getState().name();
  }

  /**
   * Retry around breaker around the call; {@code vmsaga_agent_calls_seconds{agent, outcome}} times
   * each attempt that reached the agent or failed on the way.
   */
  private static CallGuard guard(CircuitBreaker breaker, MeterRegistry meters) {
    Supplier<Timer.Builder> timer =
        () -> Timer.builder("vmsaga.agent.calls").tag("agent", breaker.getName());
    return new CallGuard() {
      @Override
      public <T> T call(Supplier<T> call) {
        long deadline = System.nanoTime() + RETRY_BUDGET.toNanos();
        Retry retry =
            Retry.of(
                breaker.getName(),
                RetryConfig.from(RETRY)
                    .retryOnException(
                        e ->
                            e instanceof AgentException a
                                && a.isRetryable()
                                && System.nanoTime() < deadline)
                    .build());
        try {
          return retry.executeSupplier(() -> breaker.executeSupplier(() -> timed(call)));
        } catch (CallNotPermittedException open) {
          throw new AgentException(
              0,
              "unavailable",
              "the agent's circuit is open: it failed "
                  + FAILURES_TO_OPEN
                  + " calls in a row; it is tried again after "
                  + OPEN_FOR.toSeconds()
                  + " s",
              open);
        }
      }

      private <T> T timed(Supplier<T> call) {
        long started = System.nanoTime();
        String outcome = "ok";
        try {
          return call.get();
        } catch (AgentException e) {
          outcome = e.code();
          throw e;
        } finally {
          timer
              .get()
              .tag("outcome", outcome)
              .register(meters)
              .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
      }
    };
  }

  @Mapper
  public interface NodeUrls {
    @Select("SELECT agent_url FROM node WHERE id = #{nodeId}")
    String agentUrl(String nodeId);
  }
}
