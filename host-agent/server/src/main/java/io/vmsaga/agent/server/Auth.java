package io.vmsaga.agent.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Bearer-token check on every request, in constant time so the token cannot be guessed byte by
 * byte.
 */
public final class Auth {
  private static final String PREFIX = "Bearer ";
  private final byte[] token;

  public Auth(String token) {
    if (token.isBlank()) {
      throw new IllegalArgumentException("empty token");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  public boolean permits(HttpHeaders headers) {
    String value = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (value == null || !value.startsWith(PREFIX)) {
      return false;
    }
    return MessageDigest.isEqual(
        value.substring(PREFIX.length()).getBytes(StandardCharsets.UTF_8), token);
  }
}
