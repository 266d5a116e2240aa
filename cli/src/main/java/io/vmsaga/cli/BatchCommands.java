package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code vmsaga batch …}: many VMs created as one batch, followed by its counts. */
@Command(name = "batch", description = "Create many VMs at once.", mixinStandardHelpOptions = true)
final class BatchCommands {
  @ParentCommand Vmsaga root;

  @Command(
      description = {
        "Create the VMs of FILE: a JSON array of createVm bodies, or a batchCreateVms body.",
        "With --wait, exits 1 when any VM failed."
      },
      mixinStandardHelpOptions = true)
  int create(
      @Parameters(paramLabel = "FILE") Path file,
      @Option(names = "--concurrency", description = "1-20, default 5") Integer concurrency,
      @Option(names = "--fail-fast", description = "start no more after a failure")
          Boolean failFast,
      @Option(names = "--idempotency-key", paramLabel = "KEY") String key,
      @Mixin Follow.Waiting waiting) {
    JsonNode given = read(file);
    ObjectNode body = given.isArray() ? Api.body("vms", given) : (ObjectNode) given;
    body.setAll(Api.body("concurrency", concurrency, "failFast", failFast, "idempotencyKey", key));
    Api api = root.api();
    JsonNode submitted = api.call("batchCreateVms", body);
    if (!waiting.wait) {
      root.output().record(submitted);
      return Exit.OK;
    }
    return show(root.watch(api, waiting.timeout()).batch(submitted.path("batchId").asString()));
  }

  @Command(description = "Show a batch: counts and each VM.", mixinStandardHelpOptions = true)
  int status(@Parameters(paramLabel = "BATCHID") String batchId, @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    return show(
        waiting.wait
            ? root.watch(api, waiting.timeout()).batch(batchId)
            : api.call("getBatch", Api.body("batchId", batchId)));
  }

  private int show(JsonNode batch) {
    Output output = root.output();
    if (!output.json()) {
      output.text(batch.path("batchId").asString() + " " + batch.path("state").asString() + ": ");
      output.text(Watch.counts(batch) + "\n");
    }
    output.list(
        batch,
        "items",
        col("INDEX", "index"),
        col("VM", "vmId"),
        col("STATUS", "status"),
        col("ERROR", "error.code"),
        col("MS", "durationMs"));
    boolean done = batch.path("state").asString().equals("done");
    return done && batch.path("counts").path("failed").asInt() > 0 ? Exit.FAILED : Exit.OK;
  }

  private static JsonNode read(Path file) {
    try {
      return Api.JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
