package io.vmsaga.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code vmsaga}: the command line of the vmsaga API. Holds what every command shares (where the
 * API is, the output format, the terminal) and maps failures to the exit codes of {@link Exit}.
 */
@Command(
    name = "vmsaga",
    mixinStandardHelpOptions = true,
    version = "vmsaga 0.1.0",
    description = "VMs whose every multi-step operation is a saga: it completes or leaves nothing.",
    subcommands = {
      VmCommands.class,
      BatchCommands.class,
      ImageCommands.class,
      NodeCommands.class,
      SagaCommands.class,
      TenantCommands.class,
      NetworkCommands.class,
      CompletionCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  the operation failed; its saga was rolled back (reason, admin UI link)",
      "  2  usage error",
      "  3  refused by the API (4xx): its code and message on stderr",
      "  4  unavailable: no answer, or 5xx",
      "  5  timed out waiting (the operation goes on)",
      "",
      "Settings: --url and --token, else VMSAGA_URL and VMSAGA_TOKEN",
      "(VMSAGA_ADMIN_TOKEN for admin commands), else the .vmsaga/env of the",
      "checkout you are in, else ~/.config/vmsaga/config (url=, token=, admin_token=)."
    })
public final class Vmsaga {
  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "the functions app (default: VMSAGA_URL, .vmsaga/env, ~/.config/vmsaga/config)")
  String url;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      description = "bearer token (default: VMSAGA_TOKEN; admin commands VMSAGA_ADMIN_TOKEN)")
  String token;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      defaultValue = "table",
      paramLabel = "FORMAT",
      description = "table or json (the API's own JSON); default ${DEFAULT-VALUE}")
  Output.Format format;

  /** Tests only: the stack's fault injection (X-Vmsaga-Faults), never shown in help. */
  @Option(names = "--inject-fault", scope = ScopeType.INHERIT, hidden = true)
  Map<String, String> faults = new LinkedHashMap<>();

  private final Map<String, String> env;
  private final Path cwd;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  Vmsaga(Map<String, String> env, Path cwd, PrintStream out, PrintStream err, boolean terminal) {
    this.env = env;
    this.cwd = cwd;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    var console = System.console();
    boolean terminal = console != null && console.isTerminal();
    System.exit(run(System.getenv(), Path.of(""), System.out, System.err, terminal, args));
  }

  /** Runs one command line; answers its exit code. */
  public static int run(
      Map<String, String> env,
      Path cwd,
      PrintStream out,
      PrintStream err,
      boolean terminal,
      String... args) {
    var commandLine = new CommandLine(new Vmsaga(env, cwd, out, err, terminal));
    commandLine.setOut(new java.io.PrintWriter(out, true));
    commandLine.setErr(new java.io.PrintWriter(err, true));
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          if (e instanceof Watch.Detached detached) {
            err.println(detached.getMessage());
            return Exit.OK;
          }
          if (!(e instanceof Exit.Failure failure)) {
            throw e;
          }
          err.println("vmsaga: " + failure.getMessage());
          failure.details().forEach(line -> err.println("  " + line));
          return failure.code();
        });
    return commandLine.execute(args);
  }

  /** The API as the tenant of the token. */
  Api api() {
    return api(config().token());
  }

  /** The API as an administrator (VMSAGA_ADMIN_TOKEN, unless --token says otherwise). */
  Api adminApi() {
    return api(config().adminToken());
  }

  private Api api(String bearer) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (!faults.isEmpty()) {
      headers.put("X-Vmsaga-Faults", Api.JSON.writeValueAsString(faults));
    }
    return new Api(config().url(), bearer, headers);
  }

  private Config config() {
    return Config.resolve(url, token, env, cwd, Path.of(System.getProperty("user.home")));
  }

  Output output() {
    return new Output(out, format);
  }

  /** Progress goes where it does not spoil JSON: stderr when the output is JSON. */
  Progress progress() {
    return new Progress(format == Output.Format.json ? err : out, terminal);
  }

  Watch watch(Api api, Duration timeout) {
    return new Watch(api, progress(), timeout);
  }

  boolean terminal() {
    return terminal;
  }
}
