package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * A root disk in the node's local pool is an overlay of the node's cached copy of its image: this
 * makes that copy (idempotent, one copy however many creates ask at once). Nothing to do for a VM
 * without an image or with its disk in the shared pool, which backs onto the shared image itself.
 */
@Component("cacheImage")
public class CacheImage implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public CacheImage(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          // the saga has this step only when it is needed; one submitted before it could skip it
          // may still call it
          if (!step.vm().cachesImage()) {
            return Replies.ok(Map.of("cached", "not needed"));
          }
          return Replies.ok(
              agents.on(step.vm().nodeId(), step.branch()).cacheImage(step.vm().imageId()));
        });
  }
}
