package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.core.Pause;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * What every direct operation (no saga) does first: who calls, which VM, is it free of sagas, and
 * what state is it really in. The recorded state is corrected to what the node reports before
 * anything is decided, so an operation acts on the truth (QEMU died → stopped; paused by hand →
 * paused).
 */
@Component
public class DirectOps {
  private static final int READ_ATTEMPTS = 3;

  private final VmLookup lookup;
  private final VmMapper vms;
  private final Agents agents;
  private final Sagas sagas;

  public DirectOps(VmLookup lookup, VmMapper vms, Agents agents, Sagas sagas) {
    this.lookup = lookup;
    this.vms = vms;
    this.agents = agents;
    this.sagas = sagas;
  }

  /** A VM the caller may act on, in its true state, with the agent of its node. */
  public record Target(VmRow vm, String state, AgentClient agent) {}

  /**
   * Resolves the request to a {@link Target} and hands it to {@code operation}, or answers the
   * refusal: those of {@link VmLookup}, and 409 {@code busy} while a saga owns the VM.
   */
  public <R extends ForVm> Message<?> on(
      Message<?> message, Class<R> type, BiFunction<R, Target, Message<?>> operation) {
    return lookup.on(
        message,
        type,
        (request, caller, vm) -> {
          if (vm.ownerGid() != null) {
            // a live saga's, or one that never ran (StuckVms settles the VM within a minute or
            // two):
            // either way an operation now would race what the record says
            return Replies.conflict(
                "busy",
                "VM is owned by saga "
                    + vm.ownerGid()
                    + (sagas.live(vm.ownerGid())
                        ? ""
                        : ", which no longer runs; it is being settled"));
          }
          AgentClient agent = agents.on(vm.nodeId());
          try {
            return operation.apply(request, new Target(vm, trueState(vm, agent), agent));
          } catch (AgentException e) {
            return e.isRetryable()
                ? Replies.unavailable("the VM's node does not answer; try again")
                : Replies.conflict("node_refused", "the VM's node refused: " + e.code());
          }
        });
  }

  /**
   * A power operation: the state table's move from the VM's true state, the agent's action for it
   * ({@code action} answers null for a move that needs none), the VM recorded in {@code after}; 409
   * {@code wrong_state} where the table has no move.
   */
  <R extends ForVm> Message<?> transition(
      Message<?> message,
      Class<R> type,
      VmStates.Operation operation,
      String after,
      BiFunction<R, VmStates.Move, VmAction> action) {
    return transition(message, type, operation, after, request -> new Check(), action);
  }

  /** {@link #transition} of a request {@code validate} checks first (400 when it fails). */
  <R extends ForVm> Message<?> transition(
      Message<?> message,
      Class<R> type,
      VmStates.Operation operation,
      String after,
      Function<R, Check> validate,
      BiFunction<R, VmStates.Move, VmAction> action) {
    return on(
        message,
        type,
        (request, target) -> {
          Check check = validate.apply(request);
          if (check.failed()) {
            return check.reply();
          }
          return VmStates.move(operation, target.state())
              .<Message<?>>map(
                  move -> {
                    VmAction act = action.apply(request, move);
                    if (act != null) {
                      target.agent().action(request.vmId(), act);
                    }
                    record(target.vm(), target.state(), after);
                    return Replies.ok(
                        new VmStatusView(
                            request.vmId(), after, target.vm().vcpus(), target.vm().memoryMib()));
                  })
              .orElseGet(
                  () -> notAllowed(operation.name().toLowerCase(Locale.ROOT), target.state()));
        });
  }

  /** 409 for an operation the state table does not allow, naming the state. */
  public static Message<?> notAllowed(String operation, String state) {
    return Replies.status(
        409,
        Map.of(
            "code",
            "wrong_state",
            "state",
            state,
            "message",
            operation + " is not allowed while the VM is " + state));
  }

  /** Records {@code state} after an operation moved the VM there. */
  public void record(VmRow vm, String from, String to) {
    vms.moveState(vm.id(), from, to);
  }

  private String trueState(VmRow vm, AgentClient agent) {
    String reported = read(() -> agent.getVm(vm.id()).map(v -> v.state()).orElse("defined"));
    String truth = VmStates.fromAgent(reported).orElse(vm.state());
    if (!truth.equals(vm.state())) {
      vms.moveState(vm.id(), vm.state(), truth);
    }
    return truth;
  }

  /**
   * A read of the node, tried again on a transient failure (agent restarting, QMP reconnecting).
   */
  public static <T> T read(java.util.function.Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (AgentException e) {
        if (!e.isRetryable() || attempt == READ_ATTEMPTS) {
          throw e;
        }
        Pause.millis(100L * attempt);
      }
    }
  }
}
