package io.vmsaga.functions.create;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Creates the VM's qcow2 disk in the node's local pool or the shared pool (idempotent by disk id):
 * empty, or an overlay of its image (the shared image, or the node's cached copy).
 */
@Component("createDisk")
public class CreateDisk implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public CreateDisk(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.vm().disk();
          var agent = agents.on(step.vm().nodeId(), step.branch());
          var root =
              agent.putDisk(
                  disk.pool(),
                  disk.diskId(),
                  step.vm().imageId() == null
                      ? DiskSpec.ofMib(disk.sizeGib() * 1024L)
                      : DiskSpec.fromImage(step.vm().imageId(), disk.sizeGib() * 1024L));
          for (var data : step.vm().disks().subList(1, step.vm().disks().size())) {
            agent.putDisk(data.pool(), data.diskId(), DiskSpec.ofMib(data.sizeGib() * 1024L));
          }
          return Replies.ok(root);
        });
  }
}
