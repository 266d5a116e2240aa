package io.vmsaga.agent.server.qmp;

/**
 * QEMU refused a command; {@code errorClass} is QMP's ({@code GenericError}, {@code DeviceNotFound}
 * …).
 */
public class QmpError extends RuntimeException {
  private final String errorClass;

  public QmpError(String command, String errorClass, String desc) {
    super(command + ": " + desc);
    this.errorClass = errorClass;
  }

  public String errorClass() {
    return errorClass;
  }
}
