package io.vmsaga.agent.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.EventExecutorGroup;

/**
 * The pipeline. No aggregator: the handler buffers small JSON bodies itself (capped) and streams
 * disk uploads to a file, and it runs on a separate executor group because QEMU, qemu-img and ip
 * calls block.
 */
final class AgentInitializer extends ChannelInitializer<SocketChannel> {
  private final Router router;
  private final Auth auth;
  private final AccessLog accessLog;
  private final EventExecutorGroup blocking;

  AgentInitializer(Router router, Auth auth, AccessLog accessLog, EventExecutorGroup blocking) {
    this.router = router;
    this.auth = auth;
    this.accessLog = accessLog;
    this.blocking = blocking;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast(new HttpServerCodec())
        .addLast(new HttpServerExpectContinueHandler())
        .addLast(new ChunkedWriteHandler())
        .addLast(blocking, new AgentHandler(router, auth, accessLog));
  }
}
