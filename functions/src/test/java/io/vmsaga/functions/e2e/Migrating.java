package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.functions.migration.MigrationPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.JsonNode;

/**
 * What the migration tests share: a guest that keeps its memory dirty, waiting for progress, QEMU
 * checks.
 */
final class Migrating {
  /**
   * A boot sector that rewrites one word in every 4 KiB page from 1 MiB to 64 MiB, forever. Without
   * a guest OS a VM's RAM is mostly zero pages, which QEMU sends as a few bytes each: such a VM
   * migrates in about a second even at 1 MiB/s. Kept dirty, at 1 MiB/s it never converges, so a
   * test can cancel it (or kill an agent) mid-way for sure. Assembled with GNU as from:
   *
   * <pre>
   *         .code16
   * start:  cli
   *         inb $0x92, %al ; orb $2, %al ; outb %al, $0x92        # A20 on
   *         lgdtl 0x7c00 + (gdtdesc - start)
   *         movl %cr0, %eax ; orl $1, %eax ; movl %eax, %cr0      # protected mode
   *         ljmpl $0x08, $(0x7c00 + (flat - start))
   *         .code32
   * flat:   movw $0x10, %ax ; movw %ax, %ds ; xorl %ecx, %ecx
   * pass:   incl %ecx ; movl $0x100000, %eax
   * touch:  movl %ecx, (%eax) ; addl $0x1000, %eax ; cmpl $0x4000000, %eax ; jb touch
   *         jmp pass
   *         .p2align 3
   * gdt:    .quad 0, 0x00cf9a000000ffff, 0x00cf92000000ffff       # null, flat code, flat data
   * gdtdesc: .word gdtdesc - gdt - 1 ; .long 0x7c00 + (gdt - start)
   * </pre>
   */
  private static final String DIRTYING_CODE =
      "fae4920c02e692660f0116587c0f20c06683c8010f22c066ea1f7c0000080066b8"
          + "10008ed831c941b800001000890805001000003d0000000472f2ebea8d76000000000000000000ffff0000009acf00ffff00"
          + "000092cf001700407c";

  private Migrating() {}

  /**
   * Restarts the VM (stopped via its agent, so its records stay as they are) booting the dirtying
   * sector.
   */
  static void keepMemoryDirty(String vmId, String nodeId) throws IOException, InterruptedException {
    AgentClient agent = agent(nodeId);
    agent.action(vmId, VmAction.of(VmAction.Action.STOP, 4000));
    byte[] sector = new byte[512];
    byte[] code = HexFormat.of().parseHex(DIRTYING_CODE);
    System.arraycopy(code, 0, sector, 0, code.length);
    sector[510] = 0x55;
    sector[511] = (byte) 0xaa;
    Path file = Files.createTempFile("dirty", ".bin");
    try {
      Files.write(file, sector);
      String disk = agent.getDisk("shared", vmId + "-disk0").orElseThrow().path();
      run("qemu-io", "-f", "qcow2", "-c", "write -s " + file + " 0 512", disk);
    } finally {
      Files.delete(file);
    }
    agent.action(vmId, VmAction.of(VmAction.Action.START));
  }

  /** getVm's migration view once QEMU is moving pages. */
  static JsonNode awaitMigrating(String token, String vmId) {
    JsonNode[] seen = new JsonNode[1];
    await(
        Duration.ofSeconds(60),
        () -> {
          seen[0] = call("getVm", token, Map.of("vmId", vmId)).body().path("migration");
          return seen[0].path("status").asString().equals("active")
              && seen[0].path("transferredBytes").asLong() > 0;
        });
    return seen[0];
  }

  /** The numbers of one live migration, as getVm's migration view has them, in the test output. */
  static void report(String what, JsonNode migration, long sagaMs) {
    System.out.printf(
        "%s: status %s, downtime %s ms, QEMU total %s ms, %s of %s bytes sent, saga %d ms%n",
        what,
        migration.path("status").asString(),
        migration.path("downtimeMs").asText("-"),
        migration.path("totalTimeMs").asText("-"),
        migration.path("transferredBytes").asText("-"),
        migration.path("totalBytes").asText("-"),
        sagaMs);
  }

  /** The one live QEMU of the VM on this machine, checked against what the node's agent says. */
  static long onlyQemuOn(AgentClient agent, String vmId) {
    var info =
        agent
            .getVm(vmId)
            .orElseThrow(() -> new AssertionError("no VM " + vmId + " on " + agent.baseUri()));
    assertThat(info.state()).isEqualTo("running");
    await(Duration.ofSeconds(20), () -> processesMentioning(vmId).size() == 1);
    assertThat(processesMentioning(vmId)).containsExactly(info.pid());
    return info.pid();
  }

  /** Nothing of the VM on a node: no definition, no tap it would have there. */
  static void nothingOn(AgentClient agent, String nodeId, String vmId) {
    assertThat(agent.getVm(vmId)).as("VM config on " + nodeId).isEmpty();
    String tap = MigrationPlan.tapOn(vmId, nodeId);
    assertThat(agent.getTap(tap)).as("tap " + tap + " on " + nodeId).isEmpty();
    assertThat(linkExists(tap)).as("link " + tap).isFalse();
  }

  /** The VM's contribution to a node's commitment, from its reservations: {vcpus, memoryMib}. */
  static List<Long> committedFor(String vmId, String nodeId) {
    return List.of(
        number(
            "SELECT COALESCE(SUM(vcpus), 0) FROM reservation WHERE vm_id = ? AND node_id = ?",
            vmId,
            nodeId),
        number(
            "SELECT COALESCE(SUM(memory_mib), 0) FROM reservation WHERE vm_id = ? AND node_id = ?",
            vmId,
            nodeId));
  }

  static List<Long> committedOn(String nodeId) {
    return List.of(
        number("SELECT committed_vcpus FROM node WHERE id = ?", nodeId),
        number("SELECT committed_memory_mib FROM node WHERE id = ?", nodeId));
  }

  static void await(Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeout);
      }
      sleep(100);
    }
  }
}
