package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.server.os.ProcFs;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpCommand;
import io.vmsaga.agent.server.qmp.QmpConnection;
import io.vmsaga.agent.server.qmp.QmpEvent;
import io.vmsaga.agent.server.qmp.QmpObserver;
import io.vmsaga.agent.server.qmp.QmpUnavailable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A running QEMU: either our child (reaped by the JVM) or adopted after an agent restart (watched
 * through {@code /proc}). Holds the VM's QMP session and reopens it when it was lost.
 */
final class VmProcess {
  static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

  final long pid;
  final boolean incoming;
  private final Process child;
  private final Path socket;
  private final String qmpArgument;
  private final Consumer<QmpEvent> events;
  private final QmpObserver observer;
  private QmpConnection qmp;

  VmProcess(
      long pid,
      Process child,
      boolean incoming,
      Path socket,
      Consumer<QmpEvent> events,
      QmpObserver observer) {
    this.pid = pid;
    this.child = child;
    this.incoming = incoming;
    this.socket = socket;
    this.qmpArgument = QemuCommandLine.qmpArgument(socket);
    this.events = events;
    this.observer = observer;
  }

  boolean alive() {
    return child != null ? child.isAlive() : ProcFs.alive(pid) && isOurs();
  }

  /** The pid still runs our QEMU (and not a process that got the pid after it). */
  private boolean isOurs() {
    return ProcFs.cmdline(pid).map(argv -> argv.contains(qmpArgument)).orElse(false);
  }

  synchronized boolean qmpConnected() {
    return qmp != null && qmp.isOpen();
  }

  synchronized QmpConnection qmp(Duration timeout) {
    if (qmp == null || !qmp.isOpen()) {
      if (!alive()) {
        throw new QmpUnavailable("QEMU is not running", null);
      }
      qmp = QmpConnection.open(socket, timeout, events, () -> {}, observer);
    }
    return qmp;
  }

  /**
   * QEMU's run state ({@code running}, {@code paused} …), or {@code unknown} while QMP is silent.
   */
  String runState() {
    try {
      return call(Qmp.queryStatus()).status();
    } catch (QmpUnavailable e) {
      return "unknown";
    }
  }

  <R> R call(QmpCommand<R> command) {
    return call(command, QMP_TIMEOUT);
  }

  /** A call bounded by {@code timeout}, reconnecting QMP first if need be. */
  <R> R call(QmpCommand<R> command, Duration timeout) {
    return qmp(timeout).call(command, timeout);
  }

  boolean awaitExit(Duration timeout) throws InterruptedException {
    if (child != null) {
      return child.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (alive()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** SIGTERM, or SIGKILL when {@code kill}; only while the pid is still this VM's QEMU. */
  void signal(boolean kill) {
    if (child != null) {
      if (kill) {
        child.destroyForcibly();
      } else {
        child.destroy();
      }
    } else if (alive()) {
      ProcessHandle.of(pid)
          .ifPresent(kill ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
    }
  }

  synchronized void closeQmp() {
    if (qmp != null) {
      qmp.close();
    }
  }
}
