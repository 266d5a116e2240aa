-- Disaster recovery (evacuation.EvacuateNode). A VM's placement generation grows with every move;
-- the node it runs on holds the VM's lease on the shared pool at that generation, so a node that
-- comes back after its VMs were rebuilt elsewhere stops its stale copies (fencing). A VM whose
-- local disk died with its node is `lost`, with the reason. A node may evacuate by itself when down.
ALTER TABLE vm
  ADD COLUMN generation   BIGINT       NOT NULL DEFAULT 1 COMMENT 'placement generation: +1 per move' AFTER node_id,
  ADD COLUMN lost_reason  VARCHAR(255) NULL COMMENT 'why the VM is lost' AFTER state;

ALTER TABLE node
  ADD COLUMN auto_evacuate BOOLEAN NOT NULL DEFAULT FALSE COMMENT 'evacuateNode on its own once down' AFTER health;
