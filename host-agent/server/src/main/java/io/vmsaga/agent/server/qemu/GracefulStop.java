package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.qmp.Qmp;
import io.vmsaga.agent.server.qmp.QmpError;
import io.vmsaga.agent.server.qmp.QmpUnavailable;
import java.time.Duration;

/**
 * Ends one QEMU within a deadline, each step harder than the last: ACPI powerdown (only when the
 * guest runs, until half the time), {@code quit} (until 80 %), SIGTERM (until the deadline), then
 * SIGKILL.
 */
final class GracefulStop {
  private static final Duration AFTER_SIGKILL = Duration.ofSeconds(5);
  private static final Duration AFTER_QUIT = Duration.ofSeconds(1);

  private GracefulStop() {}

  /** Returns once the process is gone; 503 when even SIGKILL did not end it. */
  static void stop(VmProcess process, long timeoutMs) {
    long startNanos = System.nanoTime();
    try {
      if ("running".equals(process.runState())) {
        attempt(() -> process.call(Qmp.systemPowerdown()));
        if (process.awaitExit(until(startNanos, timeoutMs, 0.5))) {
          return;
        }
      }
      attempt(() -> process.call(Qmp.quit()));
      if (process.awaitExit(until(startNanos, timeoutMs, 0.8))) {
        return;
      }
      process.signal(false);
      if (process.awaitExit(until(startNanos, timeoutMs, 1.0))) {
        return;
      }
      sigkill(process);
    } catch (InterruptedException e) {
      throw interrupted();
    }
  }

  /**
   * A destroy, as libvirt's: {@code quit} (QEMU flushes and exits at once; no guest shutdown), and
   * SIGKILL if it has not exited within {@link #AFTER_QUIT}. For a VM about to be deleted: waiting
   * for a guest to power off is stopVm's job, not a delete's.
   */
  static void destroy(VmProcess process) {
    try {
      attempt(() -> process.call(Qmp.quit()));
      if (!process.awaitExit(AFTER_QUIT)) {
        sigkill(process);
      }
    } catch (InterruptedException e) {
      throw interrupted();
    }
  }

  /**
   * SIGKILL at once, no guest shutdown: for a QEMU that must not run a moment longer (a fenced VM,
   * whose guest could still write the shared disks while it shuts down).
   */
  static void kill(VmProcess process) {
    try {
      sigkill(process);
    } catch (InterruptedException e) {
      throw interrupted();
    }
  }

  private static void sigkill(VmProcess process) throws InterruptedException {
    process.signal(true);
    if (!process.awaitExit(AFTER_SIGKILL)) {
      throw ApiException.unavailable("QEMU did not exit after SIGKILL");
    }
  }

  private static ApiException interrupted() {
    Thread.currentThread().interrupt();
    return ApiException.unavailable("interrupted while stopping");
  }

  /** What is left until {@code share} of the deadline has passed. */
  private static Duration until(long startNanos, long timeoutMs, double share) {
    return Duration.ofNanos(
        startNanos + (long) (timeoutMs * 1_000_000 * share) - System.nanoTime());
  }

  private static void attempt(Runnable qmpCall) {
    try {
      qmpCall.run();
    } catch (QmpUnavailable | QmpError e) {
      // the next, harder step of the stop sequence follows anyway
    }
  }
}
