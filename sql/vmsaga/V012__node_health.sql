-- Node health (nodes.NodeHealth): every agent is polled; a node whose agent misses polls is
-- `unreachable`, then `down`, and placement passes it by; one answer makes it `up` again.
ALTER TABLE node
  ADD COLUMN health          VARCHAR(16)  NOT NULL DEFAULT 'up' COMMENT 'up | unreachable | down' AFTER status,
  ADD COLUMN missed_polls    INT          NOT NULL DEFAULT 0 AFTER health,
  ADD COLUMN last_contact_at TIMESTAMP(3) NULL AFTER missed_polls;
