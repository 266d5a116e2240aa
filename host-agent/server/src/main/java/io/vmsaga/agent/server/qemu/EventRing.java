package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmEvent;
import io.vmsaga.agent.server.qmp.QmpEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

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
  }

  synchronized List<VmEvent> after(long afterSeq) {
    return events.stream().filter(e -> e.seq() > afterSeq).toList();
  }
}
