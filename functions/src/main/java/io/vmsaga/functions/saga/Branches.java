package io.vmsaga.functions.saga;

import io.micrometer.core.instrument.MeterRegistry;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.web.Replies;
import java.beans.Introspector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a saga branch behind DTM's sub-transaction barrier (docs/design.md §4), in one local
 * transaction with the business rows it writes:
 *
 * <ul>
 *   <li>an action inserts its barrier row; a row already there means a duplicate call, or a
 *       compensation that came first: either way the action is skipped, so nothing is left hanging;
 *   <li>a compensation inserts the action's row (so a late action is skipped) and its own
 *       (duplicate check), then always runs: its effect checks what exists and removes only that,
 *       because a node-side effect is outside this transaction and an action may have done it and
 *       died before committing;
 *   <li>an effect that does not answer 200 rolls the transaction back, barrier rows included.
 * </ul>
 *
 * The barrier row lock is held while the effect calls the agent, so a racing compensation waits
 * behind the action it undoes.
 */
@Component
public class Branches {
  /** Header DTM sends on every branch call (the saga's {@code branch_headers}). */
  public static final String TOKEN_HEADER = "x-vmsaga-branch";

  private static final Logger log = LoggerFactory.getLogger(Branches.class);

  private final BarrierMapper barrier;
  private final ObjectProvider<Pivots> pivots;
  private final TransactionTemplate transaction;
  private final byte[] token;
  private final MeterRegistry meters;
  private final SagaEnds sagaEnds;

  public Branches(
      BarrierMapper barrier,
      ObjectProvider<Pivots> pivots,
      TransactionTemplate transaction,
      @Value("${vmsaga.branch-token}") String token,
      MeterRegistry meters,
      SagaEnds sagaEnds) {
    this.barrier = barrier;
    this.pivots = pivots;
    this.transaction = transaction;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.meters = meters;
    this.sagaEnds = sagaEnds;
  }

  public Map<String, String> headers() {
    return Map.of(TOKEN_HEADER, new String(token, StandardCharsets.UTF_8));
  }

  /** Runs {@code effect} as the action of the branch {@code call} names, once. */
  public <S extends Step> Message<?> action(
      Object step, Message<S> call, Function<S, Message<?>> effect) {
    return run(step, call, "action", effect);
  }

  /** Runs {@code effect} as the compensation of the branch {@code call} names, once. */
  public <S extends Step> Message<?> compensate(
      Object step, Message<S> call, Function<S, Message<?>> effect) {
    return run(step, call, "compensate", effect);
  }

  @SuppressWarnings("unchecked")
  private <S extends Step> Message<?> run(
      Object step, Message<S> call, String op, Function<S, Message<?>> effect) {
    String name = Introspector.decapitalize(step.getClass().getSimpleName());
    if (!authentic(call)) {
      // 401 makes DTM retry; only a misconfigured deployment gets here.
      return Replies.status(
          401, new Replies.Error("unauthorized", "missing or wrong branch token"));
    }
    // a body the function's input type could not be made of arrives as its raw text
    Object payload = call.getPayload();
    if (!(payload instanceof Step typed)
        || typed.branch() == null
        || !matchesQuery(call, typed.branch())) {
      return Replies.invalid("not a step payload of this branch");
    }
    BranchRef branch = typed.branch();
    MDC.put("gid", branch.gid());
    MDC.put("branchId", branch.branchId());
    typed.logFields().forEach(MDC::put);
    long started = System.nanoTime();
    boolean[] ran = new boolean[1];
    try {
      Message<?> reply =
          transaction.execute(
              tx -> {
                Message<?> result =
                    guarded(
                        branch,
                        op,
                        () -> {
                          ran[0] = true;
                          return effect.apply((S) payload);
                        });
                if (status(result) != 200) {
                  tx.setRollbackOnly();
                }
                return result;
              });
      log.info("{} {} branch {} -> {}", op, name, branch.branchId(), status(reply));
      // vmsaga_steps_seconds{step, op, status}: latency per step; op="compensate" counts rollbacks
      meters
          .timer("vmsaga.steps", "step", name, "op", op, "status", Integer.toString(status(reply)))
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      String ended = branch.endsSagaAs(name);
      if (ended != null && ran[0] && status(reply) == 200 && branch.saga() != null) {
        // vmsaga_sagas_finished_total{saga, outcome}: its last step done, or its first undone
        meters
            .counter("vmsaga.sagas.finished", "saga", branch.saga(), "outcome", ended)
            .increment();
        sagaEnds.ended(branch.gid());
      }
      return reply;
    } finally {
      MDC.clear(); // a virtual thread per request, but a pooled one must not carry the fields on
    }
  }

  private Message<?> guarded(BranchRef branch, String op, Supplier<Message<?>> effect) {
    if (op.equals("compensate")
        && branch.keptPastPivot()
        && pivots.stream().anyMatch(p -> p.passed(branch.gid()))) {
      return Replies.ok(Map.of("kept", "past the pivot: nothing to undo"));
    }
    if (op.equals("action")) {
      if (barrier.insert(branch.gid(), branch.branchId(), "action", "action") == 0) {
        return Replies.ok(Map.of("skipped", "duplicate or already compensated"));
      }
    } else {
      barrier.insert(branch.gid(), branch.branchId(), "action", "compensate");
      if (barrier.insert(branch.gid(), branch.branchId(), "compensate", "compensate") == 0) {
        return Replies.ok(Map.of("skipped", "duplicate"));
      }
    }
    return effectOrError(op, effect);
  }

  /**
   * Agent errors: a 4xx is a business failure of an action; anything else is retried. A
   * compensation never fails.
   */
  private static Message<?> effectOrError(String op, Supplier<Message<?>> effect) {
    try {
      Message<?> result = effect.get();
      if (op.equals("compensate") && status(result) == 409) {
        log.error(
            "compensation answered a business failure; retrying instead: {}", result.getPayload());
        return Replies.unavailable("compensation could not finish yet");
      }
      return result;
    } catch (AgentException e) {
      log.warn("agent call failed: {}", e.toString());
      if (!e.isRetryable() && op.equals("action")) {
        return Replies.failure(e.code(), e.getMessage());
      }
      return Replies.unavailable("host agent: " + e.code());
    } catch (RuntimeException e) {
      log.error("step failed unexpectedly; DTM will retry", e);
      return Replies.unavailable("step failed: " + e.getClass().getSimpleName());
    }
  }

  private boolean authentic(Message<?> call) {
    Object presented = header(call, TOKEN_HEADER);
    return presented != null
        && MessageDigest.isEqual(token, presented.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Over HTTP DTM also sends gid and branch_id as query parameters; they must agree with the
   * payload.
   */
  private static boolean matchesQuery(Message<?> call, BranchRef branch) {
    if (!(call.getHeaders().get("http_request_param") instanceof Map<?, ?> params)) {
      return true;
    }
    Object gid = first(params.get("gid"));
    Object branchId = first(params.get("branch_id"));
    return (gid == null || gid.equals(branch.gid()))
        && (branchId == null || branchId.equals(branch.branchId()));
  }

  private static Object first(Object value) {
    return value instanceof Object[] array
        ? (array.length == 0 ? null : array[0])
        : value instanceof java.util.List<?> list ? (list.isEmpty() ? null : list.get(0)) : value;
  }

  public static Object header(Message<?> message, String name) {
    for (var entry : message.getHeaders().entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        return entry.getValue();
      }
    }
    return null;
  }

  public static int status(Message<?> message) {
    Object status = message.getHeaders().get(Replies.STATUS_HEADER);
    return status == null ? 200 : Integer.parseInt(status.toString());
  }
}
