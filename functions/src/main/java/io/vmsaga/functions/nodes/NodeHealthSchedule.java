package io.vmsaga.functions.nodes;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/** In the long-running web app the nodes are polled on a timer of their own. */
@Configuration
@EnableScheduling
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(name = "vmsaga.schedules.enabled", matchIfMissing = true)
public class NodeHealthSchedule {
  private final NodeHealth health;

  public NodeHealthSchedule(NodeHealth health) {
    this.health = health;
  }

  @Scheduled(
      initialDelayString = "${vmsaga.nodes.poll-interval}",
      fixedDelayString = "${vmsaga.nodes.poll-interval}")
  void poll() {
    health.poll();
  }
}
