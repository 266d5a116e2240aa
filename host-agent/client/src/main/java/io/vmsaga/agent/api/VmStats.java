package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a running VM uses now ({@code GET /v1/vms/{vm_id}/stats}), read at {@code sampled_at_ms}
 * (epoch ms). Counters count from the start of this QEMU ({@code pid}); a NIC's count from the
 * creation of its tap.
 *
 * <p>CPU: {@code cpu_user_ms} and {@code cpu_system_ms} are the CPU time of the QEMU process (all
 * its threads: vCPUs, I/O, main loop) in user and kernel mode, {@code cpu_time_ms} their sum,
 * resolution 10 ms. {@code cpu_percent} is that time over the last {@code cpu_window_ms} of wall
 * time, 100 per host CPU fully used (a busy 2-vCPU VM can show 200): the window reaches back to
 * this VM's previous sample (a stats call or a metrics scrape) when that was 0.25 to 10 s ago,
 * otherwise the agent samples for 250 ms and the call takes that long.
 *
 * <p>Memory: {@code rss_bytes} is the QEMU process's resident set ({@code VmRSS}: guest RAM the
 * guest has touched plus QEMU's own); {@code guest_memory_bytes} is the balloon's {@code actual}
 * (the memory the guest has now), absent when the VM has no balloon device.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmStats(
    String vmId,
    long pid,
    long sampledAtMs,
    long cpuTimeMs,
    long cpuUserMs,
    long cpuSystemMs,
    Double cpuPercent,
    Long cpuWindowMs,
    long rssBytes,
    Long guestMemoryBytes,
    List<VmDiskStats> disks,
    List<VmNicStats> nics) {
  public VmStats {
    disks = disks == null ? List.of() : List.copyOf(disks);
    nics = nics == null ? List.of() : List.copyOf(nics);
  }
}
