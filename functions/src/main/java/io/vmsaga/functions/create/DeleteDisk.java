package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Deletes the VM's disk; the agent answers success for a disk that is already gone. */
@Component("deleteDisk")
public class DeleteDisk implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public DeleteDisk(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var agent = agents.on(step.vm().nodeId(), step.branch());
          for (var disk : step.vm().disks()) {
            agent.deleteDisk(disk.pool(), disk.diskId());
          }
          return Replies.ok(Map.of("deleted", step.vm().disks().size()));
        });
  }
}
