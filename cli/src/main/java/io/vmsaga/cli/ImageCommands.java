package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vmsaga image …}: the images VMs boot from; importing and deleting is for administrators.
 */
@Command(name = "image", description = "Boot images.", mixinStandardHelpOptions = true)
final class ImageCommands {
  @ParentCommand Vmsaga root;

  @Command(
      name = "import",
      description = "Import an image from an http(s) URL (administrators; the importImage saga).",
      mixinStandardHelpOptions = true)
  int importImage(
      @Option(names = "--name", required = true) String name,
      @Option(names = "--from", required = true, paramLabel = "URL", description = "http(s)")
          String url,
      @Option(names = "--sha256") String sha256,
      @Option(names = "--os-type") String osType,
      @Option(names = "--max-size", paramLabel = "MIB") Integer maxSizeMib,
      @Mixin Follow.Waiting waiting) {
    return new Follow(root, root.adminApi())
        .run(
            "importImage",
            Api.body(
                "name",
                name,
                "url",
                url,
                "sha256",
                sha256,
                "osType",
                osType,
                "maxSizeMib",
                maxSizeMib),
            waiting);
  }

  @Command(description = "List the images.", mixinStandardHelpOptions = true)
  int list() {
    root.output()
        .list(
            root.api().call("listImages", Api.body()),
            "images",
            col("ID", "imageId"),
            col("NAME", "name"),
            col("STATE", "state"),
            col("OS", "osType"),
            col("SIZE_MIB", "virtualSizeMib"));
    return Exit.OK;
  }

  @Command(
      description = "Delete an image no VM uses (administrators).",
      mixinStandardHelpOptions = true)
  int delete(@Parameters(paramLabel = "IMAGEID") String imageId) {
    root.output().record(root.adminApi().call("deleteImage", Api.body("imageId", imageId)));
    return Exit.OK;
  }
}
