package io.vmsaga.functions.core;

import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.functions.dtm.BranchRef;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The host agent of a node, addressed through the node table; calls carry the saga's gid for the
 * agent's log.
 */
@Component
public class Agents {
  /** Below the saga's branch request timeout, so a slow agent is a retry, not a DTM timeout. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(6);

  private final NodeUrls urls;
  private final String token;
  private final Map<String, AgentClient> clients = new ConcurrentHashMap<>();

  public Agents(NodeUrls urls, @Value("${vmsaga.agent-token}") String token) {
    this.urls = urls;
    this.token = token;
  }

  public AgentClient on(String nodeId, BranchRef branch) {
    return on(nodeId).withGid(branch.gid());
  }

  /** The agent URL the node was registered with, or null for an unknown node. */
  public String urlOf(String nodeId) {
    return urls.agentUrl(nodeId);
  }

  public AgentClient on(String nodeId) {
    String url = urls.agentUrl(nodeId);
    if (url == null) {
      throw new IllegalStateException("unknown node " + nodeId);
    }
    return at(url);
  }

  /**
   * The agent at a URL, before its node is registered too. One client per agent, kept: its
   * HttpClient keeps connections alive and owns one selector thread, so a client per call would
   * grow threads and sockets with every step.
   */
  public AgentClient at(String url) {
    return clients.computeIfAbsent(url, u -> new AgentClient(URI.create(u), token, CALL_TIMEOUT));
  }

  @Mapper
  public interface NodeUrls {
    @Select("SELECT agent_url FROM node WHERE id = #{nodeId}")
    String agentUrl(String nodeId);
  }
}
