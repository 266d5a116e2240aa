package io.vmsaga.functions.bench.jmh;

import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.migration.MigrationPlan;
import io.vmsaga.functions.migration.MigrationStep;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

/**
 * JMH: the JSON of one saga step's payload, both ways — what DTM posts to every branch and what the
 * function reads back (a live migration's, the largest payload: plan, disks, NICs, parameters). Run
 * by `scripts/dev bench`.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StepPayloadJsonBench {
  private final JsonMapper json = JsonMapper.builder().build();
  private final MigrationStep step =
      new MigrationStep(
          new BranchRef(
              "Xk3v9QmT2pLr8sYw1ZbN4c", "03", "05", "migrateVm", "releaseSourceReservation", ""),
          new MigrationPlan(
              "vm-46c0284c643ca890",
              "tenant-7f3a",
              MigrationPlan.LIVE,
              "node-1",
              "node-2",
              "127.0.0.1",
              61234,
              2,
              512,
              true,
              List.of(
                  new MigrationPlan.Disk("vm-46c0284c643ca890-disk0", "shared"),
                  new MigrationPlan.Disk("vm-46c0284c643ca890-disk1", "shared")),
              List.of(new MigrationPlan.Nic("nic-1", "vmsaga0", "vt46c0284c64", "vu46c0284c64")),
              new MigrationParameters(true, false, 300L, 1024L)));
  private final byte[] bytes = json.writeValueAsBytes(step);

  @Benchmark
  public byte[] write() {
    return json.writeValueAsBytes(step);
  }

  @Benchmark
  public MigrationStep read() {
    return json.readValue(bytes, MigrationStep.class);
  }
}
