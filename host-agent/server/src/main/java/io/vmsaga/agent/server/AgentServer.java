package io.vmsaga.agent.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.vmsaga.agent.server.disk.DiskService;
import io.vmsaga.agent.server.disk.ImageService;
import io.vmsaga.agent.server.disk.Pools;
import io.vmsaga.agent.server.metrics.AgentMetrics;
import io.vmsaga.agent.server.net.NetService;
import io.vmsaga.agent.server.qemu.VmActions;
import io.vmsaga.agent.server.qemu.VmCidata;
import io.vmsaga.agent.server.qemu.VmDefinitions;
import io.vmsaga.agent.server.qemu.VmDevicesInUse;
import io.vmsaga.agent.server.qemu.VmDiskAttachments;
import io.vmsaga.agent.server.qemu.VmFencing;
import io.vmsaga.agent.server.qemu.VmHotplug;
import io.vmsaga.agent.server.qemu.VmLeases;
import io.vmsaga.agent.server.qemu.VmMigration;
import io.vmsaga.agent.server.qemu.VmMonitor;
import io.vmsaga.agent.server.qemu.VmNicAttachments;
import io.vmsaga.agent.server.qemu.VmSupervisor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * Bootstrap: builds the services from the flags, adopts running VMs, fences those leased to another
 * node, then serves HTTP until stopped.
 */
public final class AgentServer implements AutoCloseable {
  static {
    // One line per record; set before the first logger exists, unless the operator chose a format.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    }
  }

  private static final Logger LOG = Logger.getLogger(AgentServer.class.getName());

  /**
   * Threads for requests that block on QEMU, qemu-img or ip; each connection stays on one of them.
   */
  private static final int BLOCKING_THREADS = 16;

  private final VmSupervisor vms;
  private final ImageService images;
  private final Router router;
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final EventExecutorGroup blocking = new DefaultEventExecutorGroup(BLOCKING_THREADS);
  private final Channel channel;

  public AgentServer(AgentConfig config) throws IOException, InterruptedException {
    for (Path dir : List.of(config.stateDir(), config.localPool(), config.sharedPool())) {
      Files.createDirectories(dir);
    }
    Pools pools =
        new Pools(
            config.localPool(), config.sharedPool(), config.imagePool(), config.poolCapacityGib());
    this.images = new ImageService(pools);
    AgentMetrics metrics = new AgentMetrics(config.nodeId());
    this.vms =
        new VmSupervisor(
            config.stateDir(), config.runDir(), pools, config.accelerator(), metrics.qmp());
    VmMonitor monitor = new VmMonitor(vms);
    metrics.watch(vms::runningCount, monitor::sampleRunning);
    VmDevicesInUse inUse = new VmDevicesInUse(vms);
    NetService net = new NetService(config.stateDir(), inUse);
    DiskService disks = new DiskService(pools, inUse);
    VmLeases leases = new VmLeases(vms, pools.leaseDir(), config.nodeId());
    VmDefinitions definitions = new VmDefinitions(vms, leases);
    VmFencing fencing = new VmFencing(vms, leases, net, fenced -> metrics.vmFenced());
    NodeService node = new NodeService(config, pools, definitions, net, images);
    vms.adoptAll();
    fenceBeforeServing(fencing);
    this.router =
        Routes.router(
            node,
            disks,
            net,
            definitions,
            new VmActions(vms, leases),
            new VmHotplug(vms),
            new VmDiskAttachments(vms),
            new VmNicAttachments(vms, net),
            new VmMigration(vms),
            images,
            new VmCidata(vms),
            monitor,
            leases,
            fencing,
            metrics);
    this.channel =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new AgentInitializer(
                    router, new Auth(config.token()), new AccessLog(metrics), blocking))
            .bind(config.listen())
            .sync()
            .channel();
    LOG.info(
        "agent "
            + config.nodeId()
            + " listening on "
            + address()
            + " (accelerator "
            + config.accelerator()
            + ")");
  }

  /**
   * The start-up fencing pass, before the port is bound: no client ever sees a VM running here that
   * the control plane placed elsewhere meanwhile. A VM that cannot be fenced is logged and left to
   * the next pass ({@code PUT /v1/fencing}); the agent serves all the same, so the node stays
   * manageable.
   */
  private static void fenceBeforeServing(VmFencing fencing) {
    try {
      fencing.fence();
    } catch (ApiException e) {
      LOG.severe("start-up fencing pass incomplete: " + e.getMessage());
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The route table, for tests that must cover every route. */
  List<Router.Route> routes() {
    return router.routes();
  }

  /** Stops serving; the VMs keep running and the next agent adopts them. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully();
    workers.shutdownGracefully();
    blocking.shutdownGracefully();
    images.close();
    vms.close();
  }

  public static void main(String[] args) throws Exception {
    AgentConfig config;
    try {
      config = AgentConfig.parse(args);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("vmsaga-host-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    config.logFormat().install(config.nodeId());
    AgentServer server = new AgentServer(config);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "agent-shutdown"));
    server.channel.closeFuture().sync();
  }
}
