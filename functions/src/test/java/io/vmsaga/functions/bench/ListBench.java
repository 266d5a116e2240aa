package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import io.vmsaga.functions.e2e.PageRows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * listVms over a tenant with N VM records (default 1,000): p50/p95 of the first page, of the last
 * page (reached by its cursor: a key, so as cheap as the first) and of a filtered page, 100 VMs per
 * page, each measured R times (default 50) as a caller sees it. Run by `scripts/dev bench`.
 */
public final class ListBench {
  public static void main(String[] args) {
    int vms = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    var tenant = PageRows.tenantWith(vms);
    try {
      String lastCursor = null;
      String cursor = null;
      do {
        lastCursor = cursor;
        var body = new HashMap<String, Object>(Map.of("limit", 100));
        if (cursor != null) {
          body.put("cursor", cursor);
        }
        cursor = call("listVms", tenant.token(), body).body().path("nextCursor").asString(null);
      } while (cursor != null);
      BenchValues.put("list.vms", vms);
      BenchValues.put(
          "list.p50", report(vms, "first page", rounds, tenant.token(), Map.of("limit", 100)));
      report(vms, "last page", rounds, tenant.token(), Map.of("limit", 100, "cursor", lastCursor));
      report(
          vms,
          "state=running page",
          rounds,
          tenant.token(),
          Map.of("limit", 100, "state", "running"));
    } finally {
      execute("DELETE FROM vm WHERE tenant_id = ?", tenant.id());
    }
  }

  /** Prints p50/p95 of the page as a caller sees it; answers the p50 in ms. */
  static double report(int vms, String what, int rounds, String token, Map<String, Object> body) {
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < rounds + 5; i++) {
      long start = System.nanoTime();
      var reply = call("listVms", token, body);
      if (reply.status() != 200) {
        throw new IllegalStateException(reply.body().toString());
      }
      if (i >= 5) { // the first calls warm the JIT and the pool up
        micros.add((System.nanoTime() - start) / 1000);
      }
    }
    micros.sort(null);
    System.out.printf(
        "listVms at %d VMs, %s: p50 %.1f ms, p95 %.1f ms (goal p50 <= 20 ms)%n",
        vms,
        what,
        micros.get(micros.size() / 2) / 1000.0,
        micros.get(micros.size() * 95 / 100) / 1000.0);
    return micros.get(micros.size() / 2) / 1000.0;
  }
}
