package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.DiskInfo;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Copies each local disk of the stopped VM from the source's agent straight into the target's
 * (streamed; the target verifies the sha256 and keeps nothing on a mismatch). The copy runs in the
 * background and this step answers ONGOING until the target lists every disk, which it does only
 * once one is complete and verified. A copy the agents refuse fails the step; one that broke off is
 * started again.
 */
@Component("copyDisks")
public class CopyDisks implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final Migrations migrations;
  private final DiskCopies copies;

  public CopyDisks(Branches branches, Agents agents, Migrations migrations, DiskCopies copies) {
    this.branches = branches;
    this.agents = agents;
    this.migrations = migrations;
    this.copies = copies;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var move = step.move();
          String gid = step.branch().gid();
          if (migrations.cancelReason(gid) != null) {
            return Replies.failure("cancelled", "the migration was cancelled");
          }
          migrations.status(gid, "copying");
          var source = agents.on(move.sourceNodeId(), step.branch());
          var target = agents.on(move.targetNodeId(), step.branch());
          int copying = 0;
          for (var disk : move.disks().stream().filter(MigrationPlan.Disk::local).toList()) {
            String key = gid + "/" + disk.diskId();
            if (target.hasDisk(disk.pool(), disk.diskId())) {
              copies.forget(key);
              continue;
            }
            Future<DiskInfo> copy =
                copies.ensure(
                    key,
                    () -> target.copyDiskFrom(source, disk.pool(), disk.diskId(), disk.pool()));
            copying++;
            if (copy.isDone()) {
              copies.forget(key);
              AgentException refused = refusal(copy);
              if (refused != null) {
                return Replies.failure(refused.code(), "copying disk " + disk.diskId() + " failed");
              }
            }
          }
          return copying > 0
              ? Replies.ongoing("copying " + copying + " disk(s) to " + move.targetNodeId())
              : Replies.ok(
                  Map.of(
                      "copied", move.disks().stream().filter(MigrationPlan.Disk::local).count()));
        });
  }

  /**
   * The agents' refusal that ended a copy, which no retry changes; null when it may succeed if
   * tried again.
   */
  private static AgentException refusal(Future<DiskInfo> copy) {
    try {
      copy.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof AgentException agent && !agent.isRetryable() ? agent : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
