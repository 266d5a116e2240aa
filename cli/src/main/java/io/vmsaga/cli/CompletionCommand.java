package io.vmsaga.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code vmsaga completion}: the bash completion script, generated from the commands themselves.
 */
@Command(
    name = "completion",
    description = {"Print a bash completion script.", "Use: source <(bin/vmsaga completion)"},
    mixinStandardHelpOptions = true)
final class CompletionCommand implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("vmsaga", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return Exit.OK;
  }
}
