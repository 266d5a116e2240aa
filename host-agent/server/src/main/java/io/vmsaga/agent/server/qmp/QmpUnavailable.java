package io.vmsaga.agent.server.qmp;

/** No answer from QEMU: the socket is closed or refused, or the reply did not come in time. */
public class QmpUnavailable extends RuntimeException {
  public QmpUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
