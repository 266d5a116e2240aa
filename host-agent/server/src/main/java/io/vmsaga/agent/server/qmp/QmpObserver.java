package io.vmsaga.agent.server.qmp;

/** Told of every QMP command's round trip, from the write to the reply: the agent's metrics. */
@FunctionalInterface
public interface QmpObserver {
  QmpObserver NONE = (command, outcome, nanos) -> {};

  String OK = "ok";

  /** QEMU answered with an error ({@link QmpError}). */
  String ERROR = "error";

  /** No answer: the session closed, the write failed or the reply did not come in time. */
  String UNAVAILABLE = "unavailable";

  void answered(String command, String outcome, long nanos);
}
