package io.vmsaga.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Waits for a saga (getSaga) or a batch (getBatch) to end and shows its progress meanwhile. The API
 * being briefly unavailable (a restart) is waited out; only the deadline ends the wait early.
 */
public final class Watch {
  /** What Ctrl-C decided: keep following, or leave the operation running and stop watching. */
  public interface OnCtrlC {
    boolean keepWaiting();
  }

  private static final long POLL_MILLIS = 200;

  private final Api api;
  private final Progress progress;
  private final long deadline;
  private final Duration timeout;
  private CtrlC ctrlC;
  private OnCtrlC onCtrlC;

  public Watch(Api api, Progress progress, Duration timeout) {
    this.api = api;
    this.progress = progress;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  /** Ctrl-C asks {@code onCtrlC} instead of ending the command. */
  public Watch onCtrlC(CtrlC ctrlC, OnCtrlC onCtrlC) {
    this.ctrlC = ctrlC;
    this.onCtrlC = onCtrlC;
    return this;
  }

  /**
   * Follows the saga until DTM finishes it, showing its steps and {@code detail} (more of the
   * operation's own progress, or ""). Answers its last getSaga view; empty when the caller's
   * records stopped naming the saga before its end was seen (a rolled-back create, a deleted VM).
   */
  public Optional<JsonNode> saga(String gid, Supplier<String> detail) {
    boolean seen = false;
    int shownDone = 0;
    while (true) {
      Optional<JsonNode> view = poll(() -> api.find("getSaga", Api.body("gid", gid)), gid);
      if (view == null) {
        continue;
      }
      if (view.isEmpty()) {
        if (seen) {
          progress.done("ended (no record of yours names the saga any more)");
          return view;
        }
      } else {
        seen = true;
        JsonNode saga = view.get();
        shownDone = passed(saga, shownDone);
        String status = saga.path("status").asString();
        if (status.equals("succeed") || status.equals("failed")) {
          progress.done(steps(saga));
          return view;
        }
        String more = detail.get();
        progress.show(steps(saga) + (more.isEmpty() ? "" : "  " + more));
      }
      pause();
    }
  }

  /** Follows a batch until it is done, showing its counts; answers its last getBatch view. */
  public JsonNode batch(String batchId) {
    while (true) {
      Optional<JsonNode> view = poll(() -> api.find("getBatch", Api.body("batchId", batchId)), "");
      if (view != null && view.isPresent()) {
        JsonNode batch = view.get();
        if (batch.path("state").asString().equals("done")) {
          progress.done(counts(batch));
          return batch;
        }
        progress.show(counts(batch));
      } else if (view != null) {
        throw new Exit.Failure(Exit.REFUSED, "not_found: batch not found");
      }
      pause();
    }
  }

  /** One poll: its answer, or null when the API did not answer (said on the progress line). */
  private Optional<JsonNode> poll(Supplier<Optional<JsonNode>> call, String gid) {
    if (System.nanoTime() > deadline) {
      progress.breakLine();
      throw new Exit.Failure(
          Exit.TIMED_OUT,
          "timed_out: still running after " + timeout.toSeconds() + " s",
          gid.isEmpty()
              ? List.of()
              : List.of("follow it with: vmsaga saga show " + gid + " --wait"));
    }
    if (ctrlC != null && ctrlC.taken()) {
      progress.breakLine();
      if (!onCtrlC.keepWaiting()) {
        throw new Detached(gid);
      }
    }
    try {
      return call.get();
    } catch (Exit.Failure e) {
      if (e.code() != Exit.UNAVAILABLE) {
        throw e;
      }
      progress.show("the API does not answer; still waiting");
      pause();
      return null;
    }
  }

  /**
   * Shows, one by one, the steps that succeeded between two polls before the last of them (a fast
   * saga ends several steps per poll; each still gets its line). Answers the count now shown.
   */
  private int passed(JsonNode saga, int shownDone) {
    int count = saga.path("stepCount").asInt();
    List<String> done = new ArrayList<>();
    for (JsonNode step : saga.path("steps")) {
      if (step.path("op").asString().equals("action")
          && step.path("status").asString().equals("succeed")) {
        done.add(step.path("name").asString());
      }
    }
    for (int i = shownDone; i < done.size() - 1; i++) {
      progress.show((i + 1) + "/" + count + " " + done.get(i) + " ✓");
    }
    return Math.max(shownDone, done.size() - 1);
  }

  /** The saga's progress in one line: {@code 3/7 createNic ✓}, or how far its rollback got. */
  static String steps(JsonNode saga) {
    int count = saga.path("stepCount").asInt();
    int done = 0;
    String last = null;
    String failed = null;
    List<String> undone = new ArrayList<>();
    for (JsonNode step : saga.path("steps")) {
      String name = step.path("name").asString();
      String status = step.path("status").asString();
      boolean action = step.path("op").asString().equals("action");
      if (action && status.equals("succeed")) {
        done++;
        last = name;
      } else if (action && status.equals("failed")) {
        failed = name;
      } else if (!action && status.equals("succeed")) {
        undone.add(name);
      }
    }
    String status = saga.path("status").asString();
    if (failed != null || status.equals("failed") || status.equals("aborting")) {
      String what = failed == null ? "rolling back" : failed + " ✗, rolling back";
      if (status.equals("failed")) {
        what = (failed == null ? "" : failed + " ✗, ") + "rolled back";
      }
      // compensations run from the failed step backwards: the first done is the latest
      String latest = undone.isEmpty() ? "" : " " + undone.getFirst() + " ↺";
      return done + "/" + count + " " + what + ": " + undone.size() + " undone" + latest;
    }
    String line = done + "/" + count + " " + (last == null ? "submitted" : last + " ✓");
    return status.equals("succeed") ? line + " done" : line;
  }

  /** A live migration's progress as getVm shows it: percent, bytes sent and left, speed. */
  static String migration(JsonNode m) {
    if (m.path("percent").isNull() || m.path("percent").isMissingNode()) {
      // before QEMU reports (submitted, setup) the steps line says enough
      String status = m.path("status").asString("");
      return status.equals("submitted") ? "" : status;
    }
    return String.format(
        "%d%% · %s of %s sent · %s left · %.0f Mbit/s",
        m.path("percent").asInt(),
        mib(m.path("transferredBytes")),
        mib(m.path("totalBytes")),
        mib(m.path("remainingBytes")),
        m.path("mbps").asDouble());
  }

  static String counts(JsonNode batch) {
    JsonNode c = batch.path("counts");
    return String.format(
        "%d/%d succeeded · %d failed · %d running · %d pending · %d skipped",
        c.path("succeeded").asInt(),
        batch.path("size").asInt(),
        c.path("failed").asInt(),
        c.path("running").asInt(),
        c.path("pending").asInt(),
        c.path("skipped").asInt());
  }

  private static String mib(JsonNode bytes) {
    return String.format("%.1f MiB", bytes.asLong() / (1024.0 * 1024.0));
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Exit.Failure(Exit.UNAVAILABLE, "interrupted while waiting");
    }
  }

  /** Ctrl-C chose to stop watching: the operation goes on; exit 0 with how to follow it. */
  public static final class Detached extends RuntimeException {
    public Detached(String gid) {
      super("detached; the operation goes on: vmsaga saga show " + gid + " --wait");
    }
  }
}
