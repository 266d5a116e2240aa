package io.vmsaga.functions.ops;

import java.util.Map;
import java.util.Optional;

/**
 * Which direct operation is allowed in which recorded VM state, and what it takes to get there. A
 * state an operation already reached is {@link Move#NOTHING} (idempotent success); a state missing
 * from an operation's row is a 409 naming the current state. States owned by a saga (creating,
 * deleting, migrating) appear in no row.
 */
final class VmStates {
  enum Operation {
    START,
    PAUSE,
    RESUME,
    STOP,
    REBOOT,
    HOTPLUG
  }

  enum Move {
    NOTHING,
    BOOT,
    RESUME,
    PAUSE,
    SHUTDOWN,
    RESET,
    PLUG
  }

  private static final Map<Operation, Map<String, Move>> TABLE =
      Map.of(
          Operation.START,
              Map.of("running", Move.NOTHING, "paused", Move.RESUME, "stopped", Move.BOOT),
          Operation.PAUSE, Map.of("paused", Move.NOTHING, "running", Move.PAUSE),
          Operation.RESUME, Map.of("running", Move.NOTHING, "paused", Move.RESUME),
          Operation.STOP,
              Map.of("stopped", Move.NOTHING, "running", Move.SHUTDOWN, "paused", Move.SHUTDOWN),
          Operation.REBOOT, Map.of("running", Move.RESET),
          Operation.HOTPLUG, Map.of("running", Move.PLUG, "paused", Move.PLUG));

  private VmStates() {}

  static Optional<Move> move(Operation operation, String state) {
    return Optional.ofNullable(TABLE.get(operation).get(state));
  }

  /**
   * The recorded state that matches what the node reports, for the states a direct operation can
   * see.
   */
  static Optional<String> fromAgent(String agentState) {
    return switch (agentState) {
      case "defined", "shutdown" -> Optional.of("stopped");
      case "running" -> Optional.of("running");
      case "paused" -> Optional.of("paused");
      default -> Optional.empty();
    };
  }
}
