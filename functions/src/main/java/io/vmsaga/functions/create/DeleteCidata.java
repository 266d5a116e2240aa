package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the VM's cidata ISO from its node and its kept content (idempotent). */
@Component("deleteCidata")
public class DeleteCidata implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final CidataRecords cidata;

  public DeleteCidata(Branches branches, Agents agents, CidataRecords cidata) {
    this.branches = branches;
    this.agents = agents;
    this.cidata = cidata;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          agents.on(step.vm().nodeId(), step.branch()).deleteCidata(step.vm().vmId());
          cidata.delete(step.vm().vmId());
          return Replies.ok(Map.of("deleted", step.vm().vmId()));
        });
  }
}
