package io.vmsaga.functions.assign;

import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The VM's first-boot configuration as it was before the assignment, on the node and recorded. */
@Component("restoreCidata")
public class RestoreCidata implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final CidataRecords cidata;

  public RestoreCidata(Branches branches, Agents agents, CidataRecords cidata) {
    this.branches = branches;
    this.agents = agents;
    this.cidata = cidata;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          var old = vm.oldCidata();
          if (old == null) {
            return Replies.ok(Map.of("cidata", "none"));
          }
          agents
              .on(vm.nodeId(), step.branch())
              .putCidata(
                  vm.vmId(), new CidataSpec(old.metaData(), old.userData(), old.networkConfig()));
          cidata.put(vm.vmId(), old);
          return Replies.ok(Map.of("restored", vm.vmId()));
        });
  }
}
