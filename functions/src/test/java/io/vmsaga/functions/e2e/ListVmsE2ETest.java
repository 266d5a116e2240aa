package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * listVms a page at a time over a tenant with 250 VM records (records only: paging is about the
 * database, not QEMU): every VM once, in creation order, across pages; filters by state and node; a
 * cursor listVms did not give is refused.
 */
class ListVmsE2ETest {
  static final int VMS = 250;
  Tenant tenant;

  @AfterEach
  void dropRows() {
    if (tenant != null) {
      execute("DELETE FROM vm WHERE tenant_id = ?", tenant.id());
    }
  }

  @Test
  void pagesWalkEveryVmOnceInOrderAndFilter() {
    tenant = PageRows.tenantWith(VMS);

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var body = new HashMap<String, Object>(Map.of("limit", 100));
      if (cursor != null) {
        body.put("cursor", cursor);
      }
      var page = call("listVms", tenant.token(), body);
      assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
      page.body().path("vms").forEach(v -> seen.add(v.path("id").asString()));
      cursor = page.body().path("nextCursor").asString(null);
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(VMS).doesNotHaveDuplicates();
    assertThat(seen)
        .containsExactlyElementsOf(
            strings("SELECT id FROM vm WHERE tenant_id = ? ORDER BY created_at, id", tenant.id()));

    var running = call("listVms", tenant.token(), Map.of("state", "running", "limit", 500));
    assertThat(running.body().path("vms")).hasSize(VMS / 5);
    running
        .body()
        .path("vms")
        .forEach(v -> assertThat(v.path("state").asString()).isEqualTo("running"));
    var onNode = call("listVms", tenant.token(), Map.of("nodeId", "node-2", "limit", 500));
    assertThat(onNode.body().path("vms")).hasSize(VMS / 5);
    assertThat(onNode.body().path("nextCursor").isNull()).as("the last page").isTrue();

    for (var bad :
        List.<Map<String, Object>>of(
            Map.of("cursor", "bm90LWEtY3Vyc29y"),
            Map.of("limit", 0),
            Map.of("limit", 501),
            Map.of("state", "sleeping"))) {
      var refused = call("listVms", tenant.token(), bad);
      assertThat(refused.status()).as(bad.toString()).isEqualTo(400);
      assertThat(refused.text("code")).isEqualTo("invalid");
    }
  }
}
