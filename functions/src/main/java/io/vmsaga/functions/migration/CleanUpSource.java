package io.vmsaga.functions.migration;

import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Removes the VM from the node it left (QEMU, config, taps, copied local disks). Past the pivot the
 * move only goes forward: whatever the source's agent answers, this is retried, never failed.
 */
@Component("cleanUpSource")
public class CleanUpSource implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final SourceSide sourceSide;

  public CleanUpSource(Branches branches, SourceSide sourceSide) {
    this.branches = branches;
    this.sourceSide = sourceSide;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          try {
            sourceSide.remove(step.move(), step.branch());
          } catch (AgentException e) {
            return Replies.unavailable("source agent: " + e.code());
          }
          return Replies.ok(
              Map.of("removed", step.move().vmId(), "from", step.move().sourceNodeId()));
        });
  }
}
