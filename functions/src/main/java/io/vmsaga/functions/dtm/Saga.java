package io.vmsaga.functions.dtm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * An ordered list of (action, compensation) function pairs, each with its typed payload. Branch ids
 * are fixed here ("01", "02", … as DTM numbers them) so a payload can name its own branch.
 */
public final class Saga {
  /** How long DTM waits for one branch call; agent calls inside a step stay well below it. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);

  private final String type;
  private final String gid;
  private final List<SagaRequest.Step> steps = new ArrayList<>();
  private final List<Function<BranchRef, ?>> payloads = new ArrayList<>();
  private String pivotBranchId;
  private Duration timeoutToFail = Duration.ofMinutes(2);
  private Duration retryInterval = Duration.ofSeconds(1);
  private Duration requestTimeout = REQUEST_TIMEOUT;

  private Saga(String type, String gid) {
    this.type = type;
    this.gid = gid;
  }

  /** A saga of a kind ({@code createVm}, {@code migrateVm}…: its metrics' label) and its gid. */
  public static Saga named(String type, String gid) {
    return new Saga(type, gid);
  }

  public Saga step(String action, String compensate, Function<BranchRef, ?> payload) {
    payloads.add(payload);
    steps.add(new SagaRequest.Step(action, compensate));
    return this;
  }

  /**
   * The pivot: the step after which the saga only goes forward. Should DTM still roll back past it
   * (its timeout), the compensations of the pivot and the steps before it are skipped, except the
   * first step's, which finishes the operation instead of undoing it ({@link
   * BranchRef#keptPastPivot}); whether the pivot was passed is the capability's fact ({@code
   * saga.Pivots}).
   */
  public Saga pivot(String action, String compensate, Function<BranchRef, ?> payload) {
    pivotBranchId = branchId(steps.size());
    return step(action, compensate, payload);
  }

  private static String branchId(int index) {
    return String.format("%02d", index + 1);
  }

  /** The step payloads, each naming its branch (and the pivot, where there is one). */
  public List<Object> payloads() {
    List<Object> made = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      boolean last = i == payloads.size() - 1;
      String firstUndo =
          i == 0 && !steps.get(0).compensate().isEmpty() ? steps.get(0).compensate() : null;
      made.add(
          payloads
              .get(i)
              .apply(
                  new BranchRef(
                      gid,
                      branchId(i),
                      pivotBranchId,
                      type,
                      last ? steps.get(i).action() : null,
                      firstUndo)));
    }
    return made;
  }

  /** A saga has no timeout in DTM by default; ours always ends, compensated, after this. */
  public Saga timeoutToFail(Duration timeout) {
    this.timeoutToFail = timeout;
    return this;
  }

  public Saga retryInterval(Duration interval) {
    this.retryInterval = interval;
    return this;
  }

  public Saga requestTimeout(Duration timeout) {
    this.requestTimeout = timeout;
    return this;
  }

  public String gid() {
    return gid;
  }

  public String type() {
    return type;
  }

  /** Every function the saga names, actions and compensations, in order. */
  public List<String> functions() {
    return steps.stream()
        .flatMap(s -> java.util.stream.Stream.of(s.action(), s.compensate()))
        .filter(name -> !name.isEmpty())
        .toList();
  }

  /** The pivot's branch id, or null for a saga without one. */
  public String pivotBranchId() {
    return pivotBranchId;
  }

  /** The action of every step, in order. */
  public List<String> actions() {
    return steps.stream().map(SagaRequest.Step::action).toList();
  }

  /** Resolves function names to the URLs DTM calls and serialises every payload. */
  public SagaRequest toRequest(
      String functionsUrl, Map<String, String> branchHeaders, ObjectMapper json) {
    List<SagaRequest.Step> urls =
        steps.stream()
            .map(
                s ->
                    new SagaRequest.Step(
                        url(functionsUrl, s.action()), url(functionsUrl, s.compensate())))
            .toList();
    List<String> bodies = payloads().stream().map(p -> write(json, p)).toList();
    return new SagaRequest(
        gid,
        "saga",
        urls,
        bodies,
        false,
        timeoutToFail.toSeconds(),
        retryInterval.toSeconds(),
        requestTimeout.toSeconds(),
        branchHeaders,
        "");
  }

  /** An empty function name stays empty: DTM treats an empty URL as "nothing to do", done. */
  private static String url(String functionsUrl, String function) {
    return function.isEmpty() ? "" : functionsUrl + "/" + function;
  }

  private static String write(ObjectMapper json, Object payload) {
    try {
      return json.writeValueAsString(payload);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "step payload is not serialisable: " + payload.getClass(), e);
    }
  }
}
