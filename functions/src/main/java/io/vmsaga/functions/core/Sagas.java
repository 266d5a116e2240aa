package io.vmsaga.functions.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.vmsaga.functions.dtm.DtmClient;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.dtm.SagaStatus;
import io.vmsaga.functions.dtm.Transaction;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.saga.SagaEnds;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/** Submits sagas to DTM and reads their outcome, for the triggers. */
@Component
public class Sagas {
  /** How long a trigger called with {@code awaitResult} waits for its saga. */
  static final Duration WAIT_AT_MOST = Duration.ofSeconds(90);

  private final DtmClient dtm;
  private final Branches branches;
  private final ObjectMapper json;
  private final String functionsUrl;
  private final ObjectProvider<BeforeSubmit> beforeSubmit;
  private final MeterRegistry meters;
  private final SagaEnds sagaEnds;

  public Sagas(
      DtmClient dtm,
      Branches branches,
      ObjectMapper json,
      @Value("${vmsaga.functions-url}") String functionsUrl,
      ObjectProvider<BeforeSubmit> beforeSubmit,
      MeterRegistry meters,
      SagaEnds sagaEnds) {
    this.dtm = dtm;
    this.branches = branches;
    this.json = json;
    this.functionsUrl = functionsUrl;
    this.beforeSubmit = beforeSubmit;
    this.meters = meters;
    this.sagaEnds = sagaEnds;
  }

  public String newGid() {
    return dtm.newGid();
  }

  public void submit(Saga saga) {
    beforeSubmit.orderedStream().forEach(hook -> hook.accept(saga));
    dtm.submit(saga.toRequest(functionsUrl, branches.headers(), json));
    meters.counter("vmsaga.sagas.submitted", "saga", saga.type()).increment();
  }

  /** Where the saga stands (not its steps); empty when DTM does not know it. */
  public Optional<SagaStatus> find(String gid) {
    return dtm.status(gid);
  }

  /** The saga with its steps, as DTM's admin UI shows them. */
  public Optional<Transaction> withSteps(String gid) {
    return dtm.query(gid);
  }

  /** True while DTM still works on the saga: it owns what it touches until then. */
  public boolean live(String gid) {
    return find(gid).map(t -> !t.finished()).orElse(false);
  }

  /**
   * The saga's status as DTM reports it ({@code submitted} until DTM knows it), after waiting for
   * its end when the caller asked to ({@code awaitResult}) for at most {@link #WAIT_AT_MOST}.
   */
  public String status(String gid, boolean awaitResult) {
    return (awaitResult ? await(gid, WAIT_AT_MOST) : find(gid))
        .map(SagaStatus::status)
        .orElse("submitted");
  }

  /**
   * A trigger's answer for a saga's status: 200 done, {@code failure} (a 409) compensated, 202
   * under way.
   */
  public static Message<?> reply(String status, Object response, Supplier<Message<?>> failure) {
    return switch (status) {
      case "succeed" -> Replies.ok(response);
      case "failed" -> failure.get();
      default -> Replies.status(202, response);
    };
  }

  /**
   * Waits until the saga finished, or the deadline passed; answers what DTM reports last. It asks
   * DTM every 25 ms, and at once (then every 2 ms, briefly) when this process ran the step that
   * ends the saga ({@link SagaEnds}).
   */
  public Optional<SagaStatus> await(String gid, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    Semaphore ended = sagaEnds.watch(gid);
    try {
      Optional<SagaStatus> last = find(gid);
      while (!finished(last) && System.nanoTime() < end) {
        if (ended.tryAcquire(25, TimeUnit.MILLISECONDS)) {
          // DTM writes the end once that step's answer reaches it, a few milliseconds from now
          for (int i = 0; i < 20 && !finished(last = find(gid)); i++) {
            Pause.millis(2);
          }
        } else {
          last = find(gid);
        }
      }
      return last;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return find(gid);
    } finally {
      sagaEnds.unwatch(gid);
    }
  }

  private static boolean finished(Optional<SagaStatus> saga) {
    return saga.map(SagaStatus::finished).orElse(false);
  }

  /**
   * Why the saga failed, in the failing step's own words (its stable code, e.g. {@code
   * quota_exceeded}, and message) as DTM kept them; {@code otherwise} where DTM has other words (a
   * timeout, say).
   */
  public Replies.Error failure(String gid, Replies.Error otherwise) {
    String reason = find(gid).map(SagaStatus::failureBody).orElse("");
    try {
      var body = json.readTree(reason);
      if (body.path("code").isString()) {
        return new Replies.Error(
            body.path("code").asString(), body.path("message").asString(otherwise.message()));
      }
    } catch (RuntimeException notJson) {
      // DTM's own words: keep the general reason
    }
    return otherwise;
  }

  /**
   * 409 for a saga that failed: the failing step's own code and message ({@link #failure}, else
   * {@code otherwise}) and, under {@code key}, what the trigger answers for the saga.
   */
  public Message<?> failed(String gid, Replies.Error otherwise, String key, Object response) {
    var reason = failure(gid, otherwise);
    return Replies.status(
        409, Map.of("code", reason.code(), "message", reason.message(), key, response));
  }

  /** Where the DTM admin UI shows this saga, step by step (on the DTM server that answers now). */
  public String adminUrl(String gid) {
    return dtm.liveServer().resolve("/admin/global-transactions/detail/" + gid).toString();
  }
}
