package io.vmsaga.functions.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import io.vmsaga.functions.web.Inputs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.springframework.cloud.function.adapter.aws.FunctionInvoker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Lambda handler of every function (template.yaml): Spring Cloud Function's {@link
 * FunctionInvoker}, behind one check. The adapter calls a function once per element of a JSON array
 * body (two createVm bodies in one request made two VMs); every function takes exactly one JSON
 * object, so an API Gateway event whose body is anything else is answered 400 {@code
 * malformed_json} here, as the web app's {@code web.OneJsonObject} does, and no function runs.
 */
public class OneObjectInvoker extends FunctionInvoker {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String REFUSAL =
      "{\"code\":\"malformed_json\",\"message\":\"the body must be one JSON object\"}";

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] event = input.readAllBytes();
    if (!oneObject(event)) {
      output.write(
          JSON.writeValueAsBytes(
              Map.of(
                  "statusCode",
                  400,
                  "headers",
                  Map.of("Content-Type", "application/json"),
                  "body",
                  REFUSAL)));
      return;
    }
    super.handleRequest(new ByteArrayInputStream(event), output, context);
  }

  /** True unless the event is API Gateway's with a body that is not one JSON object. */
  static boolean oneObject(byte[] event) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(event);
    } catch (RuntimeException notJson) {
      return true; // not an API Gateway event: the adapter decides, as it always has
    }
    JsonNode body = parsed.path("body");
    if (!body.isString()) {
      return true;
    }
    String text = body.asString();
    if (parsed.path("isBase64Encoded").asBoolean(false)) {
      try {
        text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return Inputs.oneJsonObject(text);
  }
}
