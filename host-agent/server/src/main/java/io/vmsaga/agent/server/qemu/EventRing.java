package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmEvent;
import io.vmsaga.agent.server.qmp.QmpEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The last events of one VM, numbered; old ones fall off so a forgotten VM cannot grow the agent.
 */
final class EventRing {
  static final int CAPACITY = 256;

  private final Deque<VmEvent> events = new ArrayDeque<>();
  private long seq;

  synchronized void add(QmpEvent event) {
    if (events.size() == CAPACITY) {
      events.removeFirst();
    }
    events.addLast(new VmEvent(++seq, event.event(), event.data(), event.timestampMs()));
    notifyAll();
  }

  synchronized List<VmEvent> after(long afterSeq) {
    return events.stream().filter(e -> e.seq() > afterSeq).toList();
  }

  /** The seq of the last event so far; {@link #await} from it sees only what comes next. */
  synchronized long lastSeq() {
    return seq;
  }

  /**
   * Waits until an event after {@code afterSeq} matches; false when none did within {@code
   * timeout}.
   */
  synchronized boolean await(long afterSeq, Predicate<VmEvent> match, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (events.stream().noneMatch(e -> e.seq() > afterSeq && match.test(e))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
