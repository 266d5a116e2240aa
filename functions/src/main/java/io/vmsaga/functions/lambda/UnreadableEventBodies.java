package io.vmsaga.functions.lambda;

import java.util.Map;
import org.springframework.cloud.function.json.JsonMapper;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.AbstractMessageConverter;
import org.springframework.stereotype.Component;

/**
 * On Lambda, an API Gateway event whose body is not JSON of the function's input type (malformed,
 * or the wrong shape). The AWS adapter's own converter throws on such a body, so the invocation
 * fails and API Gateway answers 500, which DTM would retry for ever; this converter runs first and
 * hands the function the body's raw text instead, as the web adapter does, so {@code Inputs}
 * answers 400 on both.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnreadableEventBodies extends AbstractMessageConverter {
  /** The header the AWS adapter puts on messages made of API Gateway events. */
  private static final String API_GATEWAY = "aws-api-gateway";

  private final JsonMapper json;

  UnreadableEventBodies(JsonMapper json) {
    this.json = json;
  }

  @Override
  protected boolean supports(Class<?> type) {
    return true;
  }

  @Override
  protected boolean canConvertFrom(Message<?> message, Class<?> targetClass) {
    return Boolean.TRUE.equals(message.getHeaders().get(API_GATEWAY))
        && message.getPayload() instanceof byte[]
        && !readable(body(message), targetClass);
  }

  @Override
  protected Object convertFromInternal(
      Message<?> message, Class<?> targetClass, Object conversionHint) {
    return body(message);
  }

  @Override
  protected boolean canConvertTo(Object payload, MessageHeaders headers) {
    return false;
  }

  private String body(Message<?> message) {
    Map<?, ?> event = json.fromJson(message.getPayload(), Map.class);
    return event.get("body") instanceof String body ? body : null;
  }

  private boolean readable(String body, Class<?> type) {
    if (body == null) {
      return true; // no body: the adapter reads the event itself, as it always has
    }
    try {
      return json.fromJson(body, type) != null;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
