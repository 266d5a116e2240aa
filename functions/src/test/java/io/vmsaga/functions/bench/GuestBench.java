package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import io.vmsaga.functions.e2e.GuestProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Create to guest ready from the vmsaga-tiny image through the whole stack (createVm, then the
 * guest's status page answering inside the stack's namespace), next to booting the same image with
 * bare QEMU ({@code scripts/guest/try-tiny}: QEMU start to the guest's ready line). Medians of N
 * runs each, and their ratio. Run by `scripts/dev bench`; argument: N.
 */
public final class GuestBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    var tenant = newTenant(n + 1, 2 * n + 2, (n + 1) * 512);
    var saga = new ArrayList<Long>();
    try {
      for (int i = 0; i < n; i++) {
        long started = System.nanoTime();
        var created =
            call(
                "createVm",
                tenant.token(),
                Map.of(
                    "name",
                    "gb-" + i,
                    "vcpus",
                    1,
                    "memoryMib",
                    256,
                    "diskGib",
                    1,
                    "networkId",
                    "default",
                    "nodeId",
                    "node-1",
                    "imageId",
                    tinyImage(),
                    "awaitResult",
                    true));
        String vmId = created.text("vmId");
        String address =
            call("getVm", tenant.token(), Map.of("vmId", vmId))
                .body()
                .path("nics")
                .get(0)
                .path("address")
                .asString();
        GuestProbe.awaitReady(address, Duration.ofSeconds(120));
        saga.add((System.nanoTime() - started) / 1_000_000);
        call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
      }
    } finally {
      deleteTestVms();
    }
    String image = agent("node-1").getImage(tinyImage()).orElseThrow().path();
    var bare = new ArrayList<Long>();
    for (int i = 0; i < n; i++) {
      bare.add(tryTiny(image));
    }
    long sagaMs = median(saga);
    long bareMs = median(bare);
    System.out.printf(
        "create to guest ready: vmsaga %d ms (runs %s) | bare QEMU %d ms (runs %s) | ratio %.2f%n",
        sagaMs, saga, bareMs, bare, (double) sagaMs / bareMs);
  }

  static long tryTiny(String image) throws Exception {
    Path script = Path.of(System.getProperty("vmsaga.root", "."), "scripts", "guest", "try-tiny");
    Process process =
        new ProcessBuilder(script.toString(), image).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    for (String line : output.split("\n")) {
      if (line.startsWith("ready_ms=") && !line.equals("ready_ms=none")) {
        return Long.parseLong(line.substring("ready_ms=".length()).trim());
      }
    }
    throw new IllegalStateException("try-tiny did not get the guest ready:\n" + output);
  }

  static long median(List<Long> values) {
    var sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
