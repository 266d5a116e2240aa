package io.vmsaga.agent.server.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.HotplugMemory;
import io.vmsaga.agent.api.Hotplugged;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.server.ApiException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every rule of a VM config, without QEMU: each broken rule is a 400 {@code invalid}. */
class VmConfigValidatorTest {
  private static final VmDisk DISK = new VmDisk("local", "d1");
  private static final VmNic NIC = new VmNic("vtt0", "52:54:00:00:00:01");
  private static final HotplugCpu CPU =
      new HotplugCpu(
          "c1", "max-x86_64-cpu", Map.of("socket-id", 1L, "core-id", 0L, "thread-id", 0L));

  /** A valid config to break one field of. */
  private static VmConfig config(
      Integer vcpus,
      Integer maxVcpus,
      Long memoryMib,
      Long maxMemoryMib,
      Integer slots,
      List<VmDisk> disks,
      List<VmNic> nics,
      Hotplugged hotplugged) {
    return new VmConfig(
        "vm", vcpus, maxVcpus, memoryMib, maxMemoryMib, slots, disks, nics, hotplugged);
  }

  private static VmConfig minimal() {
    return config(1, null, 64L, null, null, null, null, null);
  }

  private static void assertInvalid(VmConfig config, String messagePart) {
    ApiException e =
        assertThatExceptionOfType(ApiException.class)
            .isThrownBy(() -> VmConfigValidator.validate(config))
            .actual();
    assertThat(e.code()).isEqualTo("invalid");
    assertThat(e.status().code()).isEqualTo(400);
    assertThat(e.getMessage().contains(messagePart)).as(e.getMessage()).isTrue();
  }

  @Test
  void defaultsAreFilledSoEquivalentConfigsCompareEqual() {
    VmConfig filled = VmConfigValidator.validate(minimal());
    assertThat(filled)
        .isEqualTo(new VmConfig("vm", 1, 1, 64L, 64L, 0, List.of(), List.of(), Hotplugged.none()));
    assertThat(VmConfigValidator.validate(filled)).isEqualTo(filled);
    assertThat(
            VmConfigValidator.validate(
                config(1, 1, 64L, 64L, 0, List.of(), List.of(), new Hotplugged(null, null))))
        .isEqualTo(filled);
  }

  @Test
  void aFullConfigPasses() {
    VmConfig full =
        config(
            1,
            4,
            1024L,
            4096L,
            4,
            List.of(DISK, new VmDisk("shared", "d2")),
            List.of(NIC, new VmNic("vtt1", "52:54:00:00:00:02")),
            new Hotplugged(List.of(CPU), List.of(new HotplugMemory("m1", 512L))));
    VmConfig validated = VmConfigValidator.validate(full);
    assertThat(validated)
        .as("the disks and NICs get their slots in list order, the NICs ids from their slots")
        .isEqualTo(
            full.withDisks(List.of(DISK.inSlot(0), new VmDisk("shared", "d2", 1)))
                .withNics(
                    List.of(
                        new VmNic("nic0", "vtt0", "52:54:00:00:00:01", 0),
                        new VmNic("nic1", "vtt1", "52:54:00:00:00:02", 1))));
    assertThat(VmConfigValidator.validate(validated)).isEqualTo(validated);
  }

  @Test
  void diskSlotsAreKeptOrFilledLowestFreeInListOrder() {
    List<VmDisk> mixed =
        List.of(
            new VmDisk("local", "a"),
            new VmDisk("local", "b", 2),
            new VmDisk("shared", "c"),
            new VmDisk("local", "d"),
            new VmDisk("local", "e", 15));
    assertThat(
            VmConfigValidator.validate(config(1, null, 64L, null, null, mixed, null, null)).disks())
        .isEqualTo(
            List.of(
                new VmDisk("local", "a", 0),
                new VmDisk("local", "b", 2),
                new VmDisk("shared", "c", 1),
                new VmDisk("local", "d", 3),
                new VmDisk("local", "e", 15)));
    for (int bad : new int[] {-1, 16, Integer.MAX_VALUE}) {
      assertInvalid(
          config(1, null, 64L, null, null, List.of(new VmDisk("local", "a", bad)), null, null),
          "disk slot must be 0..15");
    }
    assertInvalid(
        config(
            1,
            null,
            64L,
            null,
            null,
            List.of(new VmDisk("local", "a", 1), new VmDisk("local", "b", 1)),
            null,
            null),
        "duplicate disk slot");
    assertInvalid(
        config(
            1,
            null,
            64L,
            null,
            null,
            List.of(new VmDisk("local", "a"), new VmDisk("shared", "a")),
            null,
            null),
        "duplicate disk_id");
  }

  @Test
  void name() {
    assertInvalid(
        new VmConfig("x".repeat(129), 1, null, 64L, null, null, null, null, null), "name");
    assertInvalid(new VmConfig("a\nb", 1, null, 64L, null, null, null, null, null), "name");
    VmConfigValidator.validate(new VmConfig(null, 1, null, 64L, null, null, null, null, null));
    VmConfigValidator.validate(
        new VmConfig("x".repeat(128), 1, null, 64L, null, null, null, null, null));
  }

  @Test
  void vcpusWithinOneTo256AndAtMostMaxVcpus() {
    assertInvalid(config(null, null, 64L, null, null, null, null, null), "vcpus is required");
    assertInvalid(config(0, null, 64L, null, null, null, null, null), "vcpus must be 1..256");
    assertInvalid(config(257, null, 64L, null, null, null, null, null), "vcpus must be 1..256");
    assertInvalid(config(3, 2, 64L, null, null, null, null, null), "max_vcpus must be 3..256");
    assertInvalid(config(1, 257, 64L, null, null, null, null, null), "max_vcpus");
    assertThat(
            VmConfigValidator.validate(config(256, null, 64L, null, null, null, null, null))
                .maxVcpus())
        .isEqualTo(256);
  }

  @Test
  void memoryBetween16MibAnd4TibAndMaxMemoryNeedsSlots() {
    assertInvalid(config(1, null, null, null, null, null, null, null), "memory_mib is required");
    assertInvalid(config(1, null, 15L, null, null, null, null, null), "memory_mib");
    assertInvalid(config(1, null, (1L << 22) + 1, null, null, null, null, null), "memory_mib");
    assertInvalid(config(1, null, 64L, 32L, 1, null, null, null), "max_memory_mib");
    assertInvalid(
        config(1, null, 64L, 128L, null, null, null, null),
        "max_memory_mib above memory_mib needs memory_slots");
    assertInvalid(config(1, null, 64L, 128L, -1, null, null, null), "memory_slots");
    assertInvalid(config(1, null, 64L, 128L, 257, null, null, null), "memory_slots");
    VmConfigValidator.validate(config(1, null, 64L, 128L, 1, null, null, null));
  }

  @Test
  void disksAtMost16WellFormedAndUnique() {
    assertInvalid(
        config(1, null, 64L, null, null, List.of(new VmDisk("tmp", "d1")), null, null), "pool");
    assertInvalid(
        config(1, null, 64L, null, null, List.of(new VmDisk("local", "D1")), null, null),
        "disk_id");
    assertInvalid(
        config(1, null, 64L, null, null, List.of(new VmDisk("local", "../d1")), null, null),
        "disk_id");
    assertInvalid(
        config(1, null, 64L, null, null, List.of(DISK, DISK), null, null), "duplicate disk");
    List<VmDisk> seventeen =
        IntStream.range(0, 17).mapToObj(i -> new VmDisk("local", "d" + i)).toList();
    assertInvalid(config(1, null, 64L, null, null, seventeen, null, null), "at most 16 disks");
    VmConfigValidator.validate(
        config(1, null, 64L, null, null, seventeen.subList(0, 16), null, null));
    assertInvalid(config(1, null, 64L, null, null, Arrays.asList(DISK, null), null, null), "null");
  }

  @Test
  void nicsAtMost8WithUniqueTapsAndUnicastMacs() {
    assertInvalid(
        config(
            1, null, 64L, null, null, null, List.of(new VmNic("Tap0", "52:54:00:00:00:01")), null),
        "tap");
    assertInvalid(
        config(
            1, null, 64L, null, null, null, List.of(new VmNic("vtt0", "01:00:5e:00:00:01")), null),
        "mac must be unicast");
    assertInvalid(
        config(
            1, null, 64L, null, null, null, List.of(new VmNic("vtt0", "52:54:00:AB:00:01")), null),
        "mac");
    assertInvalid(
        config(
            1,
            null,
            64L,
            null,
            null,
            null,
            List.of(NIC, new VmNic("vtt0", "52:54:00:00:00:02")),
            null),
        "duplicate tap");
    assertInvalid(
        config(1, null, 64L, null, null, null, List.of(NIC, new VmNic("vtt1", NIC.mac())), null),
        "duplicate mac");
    List<VmNic> nine = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      nine.add(new VmNic("vtt" + i, "52:54:00:00:00:0" + i));
    }
    assertInvalid(config(1, null, 64L, null, null, null, nine, null), "at most 8 nics");
    VmConfigValidator.validate(config(1, null, 64L, null, null, null, nine.subList(0, 8), null));
    assertInvalid(
        config(1, null, 64L, null, null, null, Arrays.asList((VmNic) null), null), "null");
  }

  @Test
  void nicSlotsAndIdsAreKeptOrFilled() {
    List<VmNic> mixed =
        List.of(
            new VmNic("vtt0", "52:54:00:00:00:01"),
            new VmNic("uplink", "vtt1", "52:54:00:00:00:02", 2),
            new VmNic("vtt2", "52:54:00:00:00:03"),
            new VmNic("lan", "vtt3", "52:54:00:00:00:04", null),
            new VmNic(null, "vtt4", "52:54:00:00:00:05", 7));
    List<VmNic> filled =
        VmConfigValidator.validate(config(1, null, 64L, null, null, null, mixed, null)).nics();
    assertThat(filled)
        .isEqualTo(
            List.of(
                new VmNic("nic0", "vtt0", "52:54:00:00:00:01", 0),
                new VmNic("uplink", "vtt1", "52:54:00:00:00:02", 2),
                new VmNic("nic1", "vtt2", "52:54:00:00:00:03", 1),
                new VmNic("lan", "vtt3", "52:54:00:00:00:04", 3),
                new VmNic("nic7", "vtt4", "52:54:00:00:00:05", 7)));
    assertThat(VmConfigValidator.nicDefaults(filled)).isEqualTo(filled);
    for (int bad : new int[] {-1, 8, Integer.MIN_VALUE}) {
      assertInvalid(
          config(
              1,
              null,
              64L,
              null,
              null,
              null,
              List.of(new VmNic(null, "vtt0", "52:54:00:00:00:01", bad)),
              null),
          "nic slot must be 0..7");
    }
    for (String bad : new String[] {"Nic0", "-a", "a_b", "", "x".repeat(64)}) {
      assertInvalid(
          config(
              1,
              null,
              64L,
              null,
              null,
              null,
              List.of(new VmNic(bad, "vtt0", "52:54:00:00:00:01", null)),
              null),
          "nic_id");
    }
    assertInvalid(
        config(
            1,
            null,
            64L,
            null,
            null,
            null,
            List.of(
                new VmNic(null, "vtt0", "52:54:00:00:00:01", 1),
                new VmNic(null, "vtt1", "52:54:00:00:00:02", 1)),
            null),
        "duplicate nic slot");
    assertInvalid(
        config(
            1,
            null,
            64L,
            null,
            null,
            null,
            List.of(
                new VmNic("a", "vtt0", "52:54:00:00:00:01", null),
                new VmNic("a", "vtt1", "52:54:00:00:00:02", null)),
            null),
        "duplicate nic_id");
    assertInvalid(
        config(
            1,
            null,
            64L,
            null,
            null,
            null,
            List.of(
                new VmNic("nic1", "vtt0", "52:54:00:00:00:01", 0),
                new VmNic("vtt1", "52:54:00:00:00:02")),
            null),
        "duplicate nic_id");
  }

  @Test
  void hotPluggedCpusAreWellFormedUniqueAndFitMaxVcpus() {
    assertInvalid(hotCpus(2, new HotplugCpu("C1", CPU.driver(), CPU.props())), "device_id");
    assertInvalid(hotCpus(2, new HotplugCpu("c1", "x;y", CPU.props())), "driver");
    assertInvalid(hotCpus(2, new HotplugCpu("c1", null, CPU.props())), "driver");
    assertInvalid(
        hotCpus(2, new HotplugCpu("c1", CPU.driver(), Map.of("bogus-id", 0L))), "slot ids");
    assertInvalid(hotCpus(2, new HotplugCpu("c1", CPU.driver(), null)), "slot ids");
    assertInvalid(
        hotCpus(2, new HotplugCpu("c1", CPU.driver(), Map.of("core-id", 1024L))), "cpu slot id");
    assertInvalid(hotCpus(3, CPU, CPU), "duplicate cpu device_id");
    assertInvalid(hotCpus(1, CPU), "hot-plugged cpus exceed max_vcpus");
    assertThat(VmConfigValidator.validate(hotCpus(2, CPU)).hotplugged().cpus())
        .isEqualTo(List.of(CPU));
  }

  @Test
  void hotPluggedMemoryIsUniqueAndFitsSlotsAndMaxMemory() {
    HotplugMemory m1 = new HotplugMemory("m1", 64L);
    assertInvalid(hotMemory(2, 256L, new HotplugMemory("M1", 64L)), "device_id");
    assertInvalid(hotMemory(2, 256L, new HotplugMemory("m1", 0L)), "hot-plugged size_mib");
    assertInvalid(hotMemory(2, 256L, new HotplugMemory("m1", null)), "hot-plugged size_mib");
    assertInvalid(hotMemory(2, 256L, m1, m1), "duplicate memory device_id");
    assertInvalid(hotMemory(1, 256L, m1, new HotplugMemory("m2", 64L)), "memory_slots");
    assertInvalid(hotMemory(2, 128L, m1, new HotplugMemory("m2", 64L)), "max_memory_mib");
    VmConfigValidator.validate(hotMemory(2, 192L, m1, new HotplugMemory("m2", 64L)));
  }

  private static VmConfig hotCpus(int maxVcpus, HotplugCpu... cpus) {
    return config(1, maxVcpus, 64L, null, null, null, null, new Hotplugged(List.of(cpus), null));
  }

  /** memory_mib 64, with {@code slots} slots up to {@code maxMemoryMib}. */
  private static VmConfig hotMemory(int slots, long maxMemoryMib, HotplugMemory... dimms) {
    return config(
        1, null, 64L, maxMemoryMib, slots, null, null, new Hotplugged(null, List.of(dimms)));
  }
}
