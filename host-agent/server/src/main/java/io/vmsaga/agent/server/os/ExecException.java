package io.vmsaga.agent.server.os;

/** A host program failed; the message is short and names the program, never a shell line. */
public class ExecException extends RuntimeException {
  public ExecException(String message) {
    super(message);
  }
}
