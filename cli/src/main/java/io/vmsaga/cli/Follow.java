package io.vmsaga.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A trigger that submits a saga, and with {@code --wait} the saga followed to its end: every saga
 * command of every group runs through here. The trigger is always called without {@code
 * awaitResult}, so progress can be shown while the saga runs.
 */
final class Follow {
  /** {@code --wait} and how long at most. */
  static final class Waiting {
    @Option(names = "--wait", description = "follow the operation to its end, showing progress")
    boolean wait;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "600",
        description = "give up waiting after this (exit 5); default ${DEFAULT-VALUE}")
    long timeoutSeconds;

    Duration timeout() {
      return Duration.ofSeconds(timeoutSeconds);
    }
  }

  /** The final answer once the saga ended (view) or stopped being visible (empty). */
  interface Finish {
    JsonNode answer(JsonNode submitted, Optional<JsonNode> saga);
  }

  private final Vmsaga root;
  private final Api api;
  private Supplier<String> detail = () -> "";
  private Finish finish = Follow::sameAnswerFinalStatus;
  private CtrlC ctrlC;
  private Watch.OnCtrlC onCtrlC;

  Follow(Vmsaga root, Api api) {
    this.root = root;
    this.api = api;
  }

  /** More progress than the steps, polled with them (a migration's bytes). */
  Follow detail(Supplier<String> detail) {
    this.detail = detail;
    return this;
  }

  Follow finish(Finish finish) {
    this.finish = finish;
    return this;
  }

  /** On a terminal, Ctrl-C while waiting asks {@code onCtrlC} instead of ending the command. */
  Follow onCtrlC(Watch.OnCtrlC onCtrlC) {
    if (root.terminal()) {
      this.ctrlC = CtrlC.catchIt();
      this.onCtrlC = onCtrlC;
    }
    return this;
  }

  /** Calls {@code function}; with {@code --wait}, follows its saga. Answers the exit code. */
  int run(String function, ObjectNode body, Waiting waiting) {
    body.put("awaitResult", false);
    JsonNode submitted = api.call(function, body);
    String gid = submitted.path("gid").asString(null);
    if (!waiting.wait || gid == null) {
      root.output().record(submitted);
      return Exit.OK;
    }
    Watch watch = root.watch(api, waiting.timeout());
    if (ctrlC != null) {
      watch.onCtrlC(ctrlC, onCtrlC);
    }
    Optional<JsonNode> saga = watch.saga(gid, detail);
    saga.filter(s -> s.path("status").asString().equals("failed"))
        .ifPresent(
            s -> {
              throw failed(s);
            });
    root.output().record(finish.answer(submitted, saga));
    return Exit.OK;
  }

  /** For an operation on a VM that stays: the VM as getVm shows it once the saga ended. */
  static Finish showVm(Api api, String vmId) {
    return (submitted, saga) -> api.call("getVm", Api.body("vmId", vmId));
  }

  /** What the function answers with {@code awaitResult}: its answer with the saga's end. */
  static JsonNode sameAnswerFinalStatus(JsonNode submitted, Optional<JsonNode> saga) {
    ObjectNode answer = (ObjectNode) submitted.deepCopy();
    answer.put("status", saga.map(s -> s.path("status").asString()).orElse("finished"));
    return answer;
  }

  /** Exit 1: the saga rolled back, with the failing step's reason and the admin UI link. */
  static Exit.Failure failed(JsonNode saga) {
    List<String> details = new ArrayList<>();
    JsonNode reason = saga.path("reason");
    if (reason.isObject()) {
      details.add(
          "reason: " + reason.path("code").asString() + ": " + reason.path("message").asString());
    }
    for (JsonNode step : saga.path("steps")) {
      if (step.path("status").asString().equals("failed")) {
        details.add(
            "failed step: "
                + step.path("name").asString()
                + " ("
                + step.path("op").asString()
                + ")");
      }
    }
    details.add("saga: " + saga.path("dtmUrl").asString());
    return new Exit.Failure(
        Exit.FAILED,
        "saga " + saga.path("gid").asString() + " failed and was rolled back",
        details);
  }
}
