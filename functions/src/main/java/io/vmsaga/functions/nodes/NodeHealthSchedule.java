package io.vmsaga.functions.nodes;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * In the long-running web app the nodes are polled on a timer of their own, unless
 * vmsaga.schedules.enabled is false (a second instance beside the one that owns the timers). That
 * switch is read at start, not by a condition: Spring AOT fixes conditions when the jar is built.
 */
@Configuration
@EnableScheduling
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class NodeHealthSchedule {
  private final NodeHealth health;
  private final boolean enabled;

  public NodeHealthSchedule(
      NodeHealth health, @Value("${vmsaga.schedules.enabled:true}") boolean enabled) {
    this.health = health;
    this.enabled = enabled;
  }

  @Scheduled(
      initialDelayString = "${vmsaga.nodes.poll-interval}",
      fixedDelayString = "${vmsaga.nodes.poll-interval}")
  void poll() {
    if (enabled) {
      health.poll();
    }
  }
}
