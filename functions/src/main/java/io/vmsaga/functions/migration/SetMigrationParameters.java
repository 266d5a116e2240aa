package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Sets xbzrle, auto-converge, the downtime limit and the bandwidth cap on the source QEMU before
 * {@code migrate}.
 */
@Component("setMigrationParameters")
public class SetMigrationParameters implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public SetMigrationParameters(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step ->
            Replies.ok(
                agents
                    .on(step.move().sourceNodeId(), step.branch())
                    .setMigrationParameters(step.move().vmId(), step.move().parameters())));
  }
}
