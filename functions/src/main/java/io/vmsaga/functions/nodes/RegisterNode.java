package io.vmsaga.functions.nodes;

import io.vmsaga.agent.api.NodeInfo;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.NodeNetworks;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /registerNode} {@code {nodeId, agentUrl, cpuOvercommit?, memoryOvercommit?}}
 * (administrators): reads the agent's inventory and records the node {@code active} with the CPUs,
 * memory and accelerator the agent reports, after making every network's bridge on it. Registering
 * again updates capacity and URL. Refused with the reason when the agent does not answer, reports
 * another node id, or has less than the node already has committed.
 */
@Component("registerNode")
public class RegisterNode implements Function<Message<RegisterNode.Request>, Message<?>> {
  /** {@code autoEvacuate}: evacuateNode on its own once down; left as it is when absent. */
  public record Request(
      String nodeId,
      String agentUrl,
      Double cpuOvercommit,
      Double memoryOvercommit,
      Boolean autoEvacuate) {}

  public record Registered(
      String nodeId,
      String agentUrl,
      int cpus,
      long memoryMib,
      String accelerator,
      double cpuOvercommit,
      double memoryOvercommit) {}

  private static final Pattern AGENT_URL =
      Pattern.compile("https?://[A-Za-z0-9.\\-\\[\\]:]{1,200}(:[0-9]{1,5})?/?");

  private final Tenants tenants;
  private final Agents agents;
  private final NodeRecords records;
  private final NetworkMapper networks;

  public RegisterNode(Tenants tenants, Agents agents, NodeRecords records, NetworkMapper networks) {
    this.tenants = tenants;
    this.agents = agents;
    this.records = records;
    this.networks = networks;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> {
          if (!caller.isAdmin()) {
            return Replies.forbidden();
          }
          Check check =
              new Check()
                  .matches(request.nodeId(), Check.ID, "nodeId", true)
                  .matches(request.agentUrl(), AGENT_URL, "agentUrl", true)
                  .require(
                      ratio(request.cpuOvercommit(), MAX_CPU_OVERCOMMIT),
                      "cpuOvercommit must be 1 to " + MAX_CPU_OVERCOMMIT)
                  .require(
                      ratio(request.memoryOvercommit(), MAX_MEMORY_OVERCOMMIT),
                      "memoryOvercommit must be 1 to " + MAX_MEMORY_OVERCOMMIT);
          return check.failed() ? check.reply() : register(request);
        });
  }

  /**
   * vCPUs: OpenStack's default is 16:1 and it sets no bound; 64:1 lets a 2-core test node hold a
   * hundred VMs that boot nothing (the batch bench). Memory overcommit beyond 16:1 is only swap.
   */
  static final double MAX_CPU_OVERCOMMIT = 64;

  static final double MAX_MEMORY_OVERCOMMIT = 16;

  private static boolean ratio(Double value, double max) {
    return value == null || (value >= 1.0 && value <= max);
  }

  private Message<?> register(Request request) {
    String url = request.agentUrl().replaceAll("/$", "");
    NodeInfo inventory;
    try {
      inventory = agents.checking(url).node();
    } catch (RuntimeException e) {
      return Replies.conflict("agent_unreachable", "the agent at agentUrl does not answer");
    }
    if (!request.nodeId().equals(inventory.nodeId())) {
      return Replies.conflict(
          "inventory_mismatch", "the agent reports node id " + inventory.nodeId());
    }
    double cpuRatio = request.cpuOvercommit() == null ? 1.0 : request.cpuOvercommit();
    double memoryRatio = request.memoryOvercommit() == null ? 1.0 : request.memoryOvercommit();
    Committed committed = records.committed(request.nodeId());
    if (committed != null
        && (committed.vcpus() > inventory.cpus() * cpuRatio
            || committed.memoryMib() > inventory.memoryMib() * memoryRatio)) {
      return Replies.conflict(
          "inventory_mismatch", "the node has more committed than the agent now reports");
    }
    try {
      // a network with guest addresses gets its gateway in a namespace on the node; else a bridge
      for (var network : networks.all()) {
        NodeNetworks.put(
            agents.at(url), network.id(), network.bridge(), network.cidr(), network.gateway());
      }
    } catch (RuntimeException e) {
      return Replies.conflict(
          "agent_unreachable", "the agent could not make a network on the node");
    }
    Registered node =
        new Registered(
            request.nodeId(),
            url,
            inventory.cpus(),
            inventory.memoryMib(),
            inventory.accelerator(),
            cpuRatio,
            memoryRatio);
    records.upsert(node);
    if (request.autoEvacuate() != null) {
      records.setAutoEvacuate(node.nodeId(), request.autoEvacuate());
    }
    return Replies.ok(node);
  }

  public record Committed(int vcpus, int memoryMib) {}

  @Mapper
  public interface NodeRecords {
    @Select(
        "SELECT committed_vcpus AS vcpus, committed_memory_mib AS memory_mib FROM node WHERE id = #{id}")
    Committed committed(String id);

    @Insert(
        "INSERT INTO node (id, agent_url, cpus, memory_mib, accelerator, cpu_overcommit, memory_overcommit)"
            + " VALUES (#{nodeId}, #{agentUrl}, #{cpus}, #{memoryMib}, #{accelerator}, #{cpuOvercommit},"
            + " #{memoryOvercommit}) ON DUPLICATE KEY UPDATE agent_url = VALUES(agent_url),"
            + " cpus = VALUES(cpus), memory_mib = VALUES(memory_mib), accelerator = VALUES(accelerator),"
            + " cpu_overcommit = VALUES(cpu_overcommit), memory_overcommit = VALUES(memory_overcommit)")
    void upsert(Registered node);

    @org.apache.ibatis.annotations.Update(
        "UPDATE node SET auto_evacuate = #{autoEvacuate} WHERE id = #{nodeId}")
    void setAutoEvacuate(
        @org.apache.ibatis.annotations.Param("nodeId") String nodeId,
        @org.apache.ibatis.annotations.Param("autoEvacuate") boolean autoEvacuate);
  }
}
