package io.vmsaga.functions.drain;

import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * What a drain did: every VM it found on the node, with where it went (or why it did not), the
 * move's saga and how long it took. drainNode, undrainNode and getNodeDrain answer it.
 */
@Component
public class DrainReport {
  public record Report(
      String gid,
      String nodeId,
      String nodeStatus,
      String state,
      int concurrency,
      List<String> targetNodeIds,
      int moved,
      int failed,
      int notMoved,
      List<DrainRecords.Item> vms,
      String dtmUrl) {}

  private final DrainRecords drains;
  private final Sagas sagas;

  public DrainReport(DrainRecords drains, Sagas sagas) {
    this.drains = drains;
    this.sagas = sagas;
  }

  public Report of(String gid) {
    var drain = drains.find(gid);
    var items = drains.items(gid);
    return new Report(
        gid,
        drain.nodeId(),
        drains.nodeStatus(drain.nodeId()),
        drain.state(),
        drain.concurrency(),
        drain.targets(),
        count(items, "moved"),
        count(items, "failed"),
        (int) items.stream().filter(i -> List.of("pending", "moving").contains(i.status())).count(),
        items,
        sagas.adminUrl(gid));
  }

  /** 200 drained, 409 with the report when it stopped, was cancelled or failed, 202 under way. */
  public Message<?> reply(String gid) {
    var report = of(gid);
    return switch (report.state()) {
      case "drained" -> Replies.ok(report);
      case "running" -> Replies.status(202, report);
      default ->
          Replies.status(
              409,
              new Failure(
                  "drain_" + report.state(),
                  switch (report.state()) {
                    case "stopped" ->
                        "the drain stopped: a VM could not move; the node stays draining";
                    case "cancelled" -> "the drain was cancelled: the node is back in service";
                    default -> "the drain failed: the node is back in service";
                  },
                  report));
    };
  }

  public record Failure(String code, String message, Report drain) {}

  private static int count(List<DrainRecords.Item> items, String status) {
    return (int) items.stream().filter(i -> status.equals(i.status())).count();
  }
}
