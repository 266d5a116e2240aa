package io.vmsaga.functions.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One request, one invocation: the web adapter would call a function once per element of a JSON
 * array (two createVm bodies in one request made two VMs, outside every batch limit; a step would
 * run per element). Every function takes one JSON object, so a body that is anything else is 400
 * {@code malformed_json} here, before any function sees it. On Lambda the same body cannot be read
 * as the function's type and reaches it as raw text, which it refuses alike ({@link Inputs}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class OneJsonObject extends OncePerRequestFilter {
  /** Far above any body a function takes (a batch of 1,000 createVm bodies is about 200 KiB). */
  static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!"POST".equals(request.getMethod())) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    String refusal =
        body.length > MAX_BODY_BYTES
            ? "the body is larger than " + MAX_BODY_BYTES + " bytes"
            : Inputs.oneJsonObject(new String(body, StandardCharsets.UTF_8))
                ? null
                : "the body must be one JSON object";
    if (refusal != null) {
      response.setStatus(400);
      response.setContentType("application/json");
      response
          .getOutputStream()
          .write(
              ("{\"code\":\"malformed_json\",\"message\":\"" + refusal + "\"}")
                  .getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(new Replayed(request, body), response);
  }

  /** The request with its body read once here and served again to the function. */
  private static final class Replayed extends HttpServletRequestWrapper {
    private final byte[] body;

    Replayed(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      var in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("blocking reads only");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(
          new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}
