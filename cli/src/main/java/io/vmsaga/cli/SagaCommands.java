package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** {@code vmsaga saga show GID}: a saga's steps, from DTM through the API (getSaga). */
@Command(name = "saga", description = "Sagas and their steps.", mixinStandardHelpOptions = true)
final class SagaCommands {
  @ParentCommand Vmsaga root;

  @Command(
      description = "Show a saga's steps; with --wait follow it to its end (exit 1 if it failed).",
      mixinStandardHelpOptions = true)
  int show(@Parameters(paramLabel = "GID") String gid, @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    JsonNode saga =
        waiting.wait
            ? root.watch(api, waiting.timeout())
                .saga(gid, () -> "")
                .orElseThrow(() -> new Exit.Failure(Exit.REFUSED, "not_found: saga not found"))
            : api.call("getSaga", Api.body("gid", gid));
    Output output = root.output();
    if (!output.json()) {
      output.text(gid + " " + saga.path("status").asString() + "  " + Watch.steps(saga) + "\n");
      output.text(saga.path("dtmUrl").asString() + "\n");
    }
    output.list(
        saga,
        "steps",
        col("STEP", "index"),
        col("NAME", "name"),
        col("OP", "op"),
        col("STATUS", "status"));
    if (waiting.wait && saga.path("status").asString().equals("failed")) {
      throw Follow.failed(saga);
    }
    return Exit.OK;
  }
}
