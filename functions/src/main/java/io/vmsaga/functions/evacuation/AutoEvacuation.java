package io.vmsaga.functions.evacuation;

import io.vmsaga.functions.nodes.NodeHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A node an administrator set to evacuate by itself ({@code registerNode} with {@code autoEvacuate:
 * true}; off by default: a node that only lost its network would have its VMs rebooted elsewhere)
 * is evacuated as soon as its health poll marks it down.
 */
@Component
public class AutoEvacuation {
  private static final Logger log = LoggerFactory.getLogger(AutoEvacuation.class);

  private final EvacuationRecords records;
  private final Evacuation evacuation;

  public AutoEvacuation(EvacuationRecords records, Evacuation evacuation) {
    this.records = records;
    this.evacuation = evacuation;
  }

  @EventListener
  public void onDown(NodeHealth.NodeDown down) {
    if (Boolean.TRUE.equals(records.autoEvacuate(down.nodeId()))) {
      log.warn("node {} is down and set to evacuate by itself", down.nodeId());
      evacuation.evacuate(down.nodeId(), null);
    }
  }
}
