package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmStats;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getVmStats} {@code {vmId}}: what a running or paused VM uses now, as its node's
 * agent reads it: CPU time of its QEMU process and utilisation (100 = one host CPU), memory (RSS,
 * and the guest's own figure where a balloon device exists), per disk the I/O counters QEMU keeps
 * ({@code query-blockstats}), per NIC the packets and bytes of its tap, from the guest's side. A
 * stopped VM is 409 {@code wrong_state}.
 */
@Component("getVmStats")
public class GetVmStats implements Function<Message<GetVmStats.Request>, Message<?>> {
  public record Request(String vmId) implements ForVm {}

  public record Cpu(long timeMs, long userMs, long systemMs, Double percent, Long windowMs) {}

  public record Memory(long rssBytes, Long guestBytes) {}

  public record Disk(
      String diskId, String pool, Long readBytes, Long writeBytes, Long readOps, Long writeOps) {}

  public record Nic(
      String nicId, String tap, Long rxBytes, Long txBytes, Long rxPackets, Long txPackets) {}

  public record Stats(
      String vmId,
      String nodeId,
      long sampledAtMs,
      Cpu cpu,
      Memory memory,
      List<Disk> disks,
      List<Nic> nics) {}

  private final DirectOps ops;

  public GetVmStats(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.on(
        message,
        Request.class,
        (request, target) -> {
          if (target.state().equals("stopped")) {
            return DirectOps.notAllowed("stats", target.state());
          }
          VmStats s = DirectOps.read(() -> target.agent().vmStats(request.vmId()));
          return Replies.ok(
              new Stats(
                  request.vmId(),
                  target.vm().nodeId(),
                  s.sampledAtMs(),
                  new Cpu(
                      s.cpuTimeMs(),
                      s.cpuUserMs(),
                      s.cpuSystemMs(),
                      s.cpuPercent(),
                      s.cpuWindowMs()),
                  new Memory(s.rssBytes(), s.guestMemoryBytes()),
                  s.disks().stream()
                      .map(
                          d ->
                              new Disk(
                                  d.diskId(),
                                  d.pool(),
                                  d.readBytes(),
                                  d.writeBytes(),
                                  d.readOps(),
                                  d.writeOps()))
                      .toList(),
                  s.nics().stream()
                      .map(
                          n ->
                              new Nic(
                                  n.nicId(),
                                  n.tap(),
                                  n.rxBytes(),
                                  n.txBytes(),
                                  n.rxPackets(),
                                  n.txPackets()))
                      .toList()));
        });
  }
}
