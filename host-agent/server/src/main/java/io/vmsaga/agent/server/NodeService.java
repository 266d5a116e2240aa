package io.vmsaga.agent.server;

import io.vmsaga.agent.api.Health;
import io.vmsaga.agent.api.NodeInfo;
import io.vmsaga.agent.server.disk.ImageService;
import io.vmsaga.agent.server.disk.Pools;
import io.vmsaga.agent.server.net.NetService;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.qemu.VmDefinitions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Node facts and the inventory of everything this agent owns, for a reconciler to compare with the
 * database.
 */
public final class NodeService {
  private static final Pattern VERSION = Pattern.compile("version ([0-9][^ ,()]*)");

  private final AgentConfig config;
  private final String qemuVersion;
  private final Pools pools;
  private final VmDefinitions vms;
  private final NetService net;
  private final ImageService images;

  public NodeService(
      AgentConfig config, Pools pools, VmDefinitions vms, NetService net, ImageService images) {
    this.images = images;
    this.config = config;
    this.pools = pools;
    this.vms = vms;
    this.net = net;
    String banner = Exec.run(Duration.ofSeconds(10), List.of("qemu-system-x86_64", "--version"));
    Matcher m = VERSION.matcher(banner);
    this.qemuVersion = m.find() ? m.group(1) : "unknown";
  }

  public Health health() {
    return new Health("ok", config.nodeId());
  }

  public NodeInfo inventory() {
    return new NodeInfo(
        config.nodeId(),
        config.cpus(),
        config.memoryMib(),
        config.accelerator(),
        qemuVersion,
        pools.pools(),
        vms.summaries(),
        pools.disks(),
        net.taps(),
        net.bridges(),
        net.networks(),
        images.list());
  }
}
