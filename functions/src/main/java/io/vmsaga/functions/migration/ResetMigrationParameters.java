package io.vmsaga.functions.migration;

import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Puts QEMU's migration defaults back on the source; a VM that does not run there has nothing to
 * reset.
 */
@Component("resetMigrationParameters")
public class ResetMigrationParameters implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public ResetMigrationParameters(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          try {
            agents
                .on(step.move().sourceNodeId(), step.branch())
                .resetMigrationParameters(step.move().vmId());
          } catch (AgentException e) {
            if (e.status() != 404) {
              throw e;
            }
          }
          return Replies.ok(Map.of("reset", step.move().vmId()));
        });
  }
}
