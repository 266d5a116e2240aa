package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;

/** VM records for paging (also the list bench's): every fifth running on node-2. */
public final class PageRows {
  private PageRows() {}

  public static Tenant tenantWith(int count) {
    var tenant = newTenant(count, count, count * 128);
    try (var c = db();
        var insert =
            c.prepareStatement(
                "INSERT INTO vm (id, tenant_id, node_id, name, state, vcpus, max_vcpus,"
                    + " memory_mib, max_memory_mib, created_at) VALUES (?, ?, ?, ?, ?, 1, 1, 128,"
                    + " 128, CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND)")) {
      for (int i = 0; i < count; i++) {
        boolean running = i % 5 == 0;
        insert.setString(1, "vm-pg" + i + "-" + Integer.toHexString(tenant.id().hashCode()));
        insert.setString(2, tenant.id());
        insert.setString(3, running ? "node-2" : null);
        insert.setString(4, "p" + i);
        insert.setString(5, running ? "running" : "stopped");
        // a few share a creation time: the id breaks the tie
        insert.setInt(6, (count - i) / 3);
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return tenant;
  }
}
