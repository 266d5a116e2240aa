package io.vmsaga.functions.dtm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * An ordered list of (action, compensation) function pairs, each with its typed payload. Branch ids
 * are fixed here ("01", "02", … as DTM numbers them) so a payload can name its own branch. A step
 * runs after the one before it; a step added {@link #alongside} runs at the same time as the one
 * before it, both after the same steps (DTM's concurrent saga: its compensations then run in the
 * reverse of that order too).
 */
public final class Saga {
  /** How long DTM waits for one branch call; agent calls inside a step stay well below it. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);

  private final String type;
  private final String gid;
  private final List<SagaRequest.Step> steps = new ArrayList<>();
  private final List<Function<BranchRef, ?>> payloads = new ArrayList<>();

  /** Each step's rank: steps of one rank run side by side, after every step of the rank before. */
  private final List<Integer> ranks = new ArrayList<>();

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
    return add(ranks.isEmpty() ? 0 : ranks.getLast() + 1, action, compensate, payload);
  }

  /**
   * A step this saga has only when it is {@code needed}: one with nothing to do would still cost a
   * whole round of DTM's dispatch, the barrier and the answer.
   */
  public Saga stepIf(
      boolean needed, String action, String compensate, Function<BranchRef, ?> payload) {
    return needed ? step(action, compensate, payload) : this;
  }

  /**
   * A step that runs at the same time as the one before it. Neither the first step (its
   * compensation settles the saga, so it must be undone last) nor the pivot shares its rank.
   */
  public Saga alongside(String action, String compensate, Function<BranchRef, ?> payload) {
    if (ranks.isEmpty() || ranks.getLast() == 0) {
      throw new IllegalStateException(action + ": the first step runs alone");
    }
    if (branchId(steps.size() - 1).equals(pivotBranchId)) {
      throw new IllegalStateException(action + ": the pivot runs alone");
    }
    return add(ranks.getLast(), action, compensate, payload);
  }

  private Saga add(int rank, String action, String compensate, Function<BranchRef, ?> payload) {
    payloads.add(payload);
    steps.add(new SagaRequest.Step(action, compensate));
    ranks.add(rank);
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
    int lastStep = ranks.size() - 1;
    if (lastStep > 0 && ranks.get(lastStep - 1).equals(ranks.get(lastStep))) {
      // its action tells a waiting caller that the saga ended (SagaEnds)
      throw new IllegalStateException("the last step runs alone");
    }
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

  /**
   * The actions that have started when {@code action} runs or fails: every step of an earlier rank,
   * and every step beside it. DTM compensates exactly these when that step fails.
   */
  public List<String> startedWith(String action) {
    int rank = ranks.get(actions().indexOf(action));
    return IntStream.range(0, steps.size())
        .filter(i -> ranks.get(i) <= rank)
        .mapToObj(i -> steps.get(i).action())
        .toList();
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
        sideBySide() ? write(json, Map.of("concurrent", true, "orders", orders())) : "");
  }

  private boolean sideBySide() {
    return ranks.stream().distinct().count() < ranks.size();
  }

  /**
   * DTM's branch orders: each step (by index) after every step of the rank before its own. DTM runs
   * a step named nowhere at once, so every step but the first rank's is named.
   */
  private Map<Integer, List<Integer>> orders() {
    Map<Integer, List<Integer>> orders = new TreeMap<>();
    for (int i = 0; i < ranks.size(); i++) {
      int before = ranks.get(i) - 1;
      if (before >= 0) {
        orders.put(
            i,
            IntStream.range(0, ranks.size()).filter(j -> ranks.get(j) == before).boxed().toList());
      }
    }
    return orders;
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
