package io.vmsaga.agent.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.server.log.LogContext;
import io.vmsaga.agent.server.os.ExecException;
import io.vmsaga.agent.server.qmp.QmpError;
import io.vmsaga.agent.server.qmp.QmpUnavailable;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;
import tools.jackson.databind.ObjectMapper;

/**
 * One per connection. Guards answer early (bad request line, no token, no route, body too large);
 * then a small body is buffered and handed to its endpoint, or a disk upload is streamed to its
 * sink chunk by chunk, with the request's {@link LogContext} bound. Every answer leaves through
 * {@link #send}, which accounts for it in the {@link AccessLog}.
 */
final class AgentHandler extends SimpleChannelInboundHandler<HttpObject> {
  private static final Logger LOG = Logger.getLogger("vmsaga.agent.access");
  private static final ObjectMapper JSON = AgentJson.lenient();

  /** Room for a cidata body: user_data up to 64 KiB plus two 16 KiB files, JSON-escaped. */
  static final int MAX_JSON_BODY = 256 * 1024;

  private static final String GID_HEADER = "X-Dtm-Gid";

  private final Router router;
  private final Auth auth;
  private final AccessLog accessLog;

  private HttpRequest request;
  private LogContext context;
  private long startNanos;
  private Router.Match match;
  private ByteArrayOutputStream buffer;
  private Router.Sink sink;

  /** After an early answer the rest of that request's body is dropped and the connection closed. */
  private boolean discarding;

  AgentHandler(Router router, Auth auth, AccessLog accessLog) {
    this.router = router;
    this.auth = auth;
    this.accessLog = accessLog;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg instanceof HttpRequest head) {
      onHead(ctx, head);
    }
    if (msg instanceof HttpContent content && !discarding) {
      ScopedValue.where(LogContext.CURRENT, context).run(() -> onContent(ctx, content));
    }
  }

  private void onHead(ChannelHandlerContext ctx, HttpRequest head) {
    request = head;
    context = LogContext.of(head.method().name(), head.uri(), head.headers().get(GID_HEADER));
    startNanos = System.nanoTime();
    discarding = false;
    match = null;
    buffer = null;
    sink = null;
    if (head.decoderResult().isFailure()) {
      sendEarly(ctx, ApiException.invalid("malformed HTTP request"));
      return;
    }
    if (!auth.permits(head.headers())) {
      sendEarly(ctx, ApiException.unauthorized());
      return;
    }
    try {
      match = router.match(head.method(), head.uri(), head.headers());
    } catch (Exception e) {
      sendEarly(ctx, toApiException(e));
      return;
    }
    context = context.withVmId(match.call().param("vm_id"));
    ScopedValue.where(LogContext.CURRENT, context).run(() -> onRouted(ctx, head));
  }

  /** The body's way in: streamed to the route's sink, or buffered up to its cap. */
  private void onRouted(ChannelHandlerContext ctx, HttpRequest head) {
    try {
      if (match.route().handling() instanceof Router.Upload upload) {
        sink = upload.open(match.call());
        ctx.channel().config().setAutoRead(false);
        ctx.read();
      } else if (HttpUtil.getContentLength(head, 0L) > MAX_JSON_BODY) {
        sendEarly(ctx, ApiException.tooLarge("request body too large"));
      } else {
        buffer = new ByteArrayOutputStream();
      }
    } catch (Exception e) {
      sendEarly(ctx, toApiException(e));
    }
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    ByteBuf bytes = content.content();
    try {
      if (sink != null) {
        sink.write(bytes);
        ctx.read();
      } else if (buffer.size() + bytes.readableBytes() > MAX_JSON_BODY) {
        sendEarly(ctx, ApiException.tooLarge("request body too large"));
        return;
      } else {
        bytes.readBytes(buffer, bytes.readableBytes());
      }
      if (content instanceof LastHttpContent) {
        Reply reply =
            sink != null
                ? finishUpload(ctx)
                : ((Router.Endpoint) match.route().handling())
                    .handle(match.call().withBody(buffer.toByteArray()));
        send(ctx, reply, HttpUtil.isKeepAlive(request));
      }
    } catch (Exception e) {
      sendEarly(ctx, toApiException(e));
    }
  }

  private Reply finishUpload(ChannelHandlerContext ctx) throws Exception {
    Router.Sink finishing = sink;
    sink = null;
    ctx.channel().config().setAutoRead(true);
    return finishing.finish();
  }

  private void sendEarly(ChannelHandlerContext ctx, ApiException error) {
    discarding = true;
    abortUpload();
    send(ctx, Reply.error(error), false);
  }

  private void abortUpload() {
    if (sink != null) {
      sink.abort();
      sink = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    abortUpload();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.WARNING, "connection failed", cause);
    abortUpload();
    ctx.close();
  }

  private static ApiException toApiException(Throwable e) {
    if (e instanceof ApiException api) {
      return api;
    }
    if (e instanceof QmpError qmp) {
      return ApiException.conflict(shorten(qmp.getMessage()));
    }
    if (e instanceof QmpUnavailable) {
      return ApiException.unavailable(shorten(e.getMessage()));
    }
    if (e instanceof ExecException) {
      return ApiException.internal(shorten(e.getMessage()));
    }
    LOG.log(Level.SEVERE, "unexpected failure", e);
    return ApiException.internal("internal error");
  }

  private static String shorten(String message) {
    return message.length() > 300 ? message.substring(0, 300) : message;
  }

  /** Writes every answer: JSON, empty or a streamed file; accounts for it once. */
  private void send(ChannelHandlerContext ctx, Reply reply, boolean keepAlive) {
    ChannelFuture done;
    long length;
    try {
      if (reply.file() != null) {
        FileChannel file = FileChannel.open(reply.file(), StandardOpenOption.READ);
        if (reply.temporary()) {
          // The open channel keeps the bytes readable; nothing is left whatever happens next.
          Files.deleteIfExists(reply.file());
        }
        length = file.size();
        HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), reply.status());
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        reply.headers().forEach(head.headers()::set);
        HttpUtil.setContentLength(head, length);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.write(head);
        done =
            ctx.writeAndFlush(new HttpChunkedInput(new ChunkedNioFile(file, 0, length, 64 * 1024)));
      } else {
        byte[] body =
            reply.text() != null
                ? reply.text().getBytes(StandardCharsets.UTF_8)
                : reply.json() == null ? new byte[0] : JSON.writeValueAsBytes(reply.json());
        length = body.length;
        // HEAD: the headers GET would have, never a body (the client reads none before its next
        // answer on this connection)
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                request.protocolVersion(),
                reply.status(),
                HttpMethod.HEAD.equals(request.method())
                    ? Unpooled.EMPTY_BUFFER
                    : Unpooled.wrappedBuffer(body));
        if (reply.text() != null) {
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        } else if (body.length > 0) {
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        reply.headers().forEach(response.headers()::set);
        HttpUtil.setContentLength(response, length);
        HttpUtil.setKeepAlive(response, keepAlive);
        done = ctx.writeAndFlush(response);
      }
    } catch (Exception e) {
      LOG.log(Level.SEVERE, "cannot write response", e);
      ctx.close();
      return;
    }
    if (!keepAlive) {
      done.addListener(ChannelFutureListener.CLOSE);
    }
    accessLog.answered(
        context,
        match == null ? null : match.route(),
        reply.status().code(),
        System.nanoTime() - startNanos);
  }
}
