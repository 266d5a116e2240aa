package io.vmsaga.functions.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.cloud.function.adapter.aws.FunctionInvoker;

/**
 * {@code scripts/dev invoke}: the Lambda handler of template.yaml ({@link OneObjectInvoker}), run
 * in this JVM on one API Gateway event read from a file, exactly as the Lambda runtime would: the
 * handler is built with its no-argument constructor, so the function comes from {@code
 * SPRING_CLOUD_FUNCTION_DEFINITION}, and its response JSON (statusCode, headers, body) is printed
 * on stdout. {@code ${NAME}} placeholders in the event (a bearer token, the branch token) are
 * filled from the environment first.
 */
public final class LocalInvoke {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");

  private LocalInvoke() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println(
          "usage: SPRING_CLOUD_FUNCTION_DEFINITION=<function> LocalInvoke <event.json>");
      System.exit(2);
    }
    String event = withEnvironment(Files.readString(Path.of(args[0])));
    // the application logs to the console; keep stdout for the response alone
    PrintStream stdout = System.out;
    System.setOut(System.err);
    try {
      String function = System.getenv("SPRING_CLOUD_FUNCTION_DEFINITION");
      byte[] response =
          invoke(new OneObjectInvoker(), function, event.getBytes(StandardCharsets.UTF_8));
      stdout.println(new String(response, StandardCharsets.UTF_8));
      stdout.flush();
    } catch (IOException | RuntimeException e) {
      System.err.println(
          "the handler threw; on Lambda that is an invocation error, which API Gateway answers with 500");
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(
        0); // the application context stays open, as on Lambda: end its threads with the JVM
  }

  /** One call of the handler, with in-memory streams as the Lambda runtime gives it. */
  public static byte[] invoke(FunctionInvoker handler, String function, byte[] event)
      throws IOException {
    var out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(function));
    return out.toByteArray();
  }

  static String withEnvironment(String event) {
    Matcher m = PLACEHOLDER.matcher(event);
    var filled = new StringBuilder();
    while (m.find()) {
      String value = System.getenv(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "the event needs $" + m.group(1) + "; set it (source $VMSAGA_HOME/env)");
      }
      m.appendReplacement(filled, Matcher.quoteReplacement(value));
    }
    return m.appendTail(filled).toString();
  }
}
