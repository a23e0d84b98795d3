package io.herald.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.SingleThreadEventExecutor;

import java.io.IOException;
import java.util.Map;

/**
 * An event frame written to the socket's file descriptor at once, one {@code write()} as the floor does, where that is
 * the same as what the pipeline would do: the epoll transport, no handler nearer the socket than the WebSocket frame
 * encoder that writes (TLS, an idle timer), nothing waiting in the channel's outbound buffer, and on the channel's
 * event loop with no other task waiting there (when events queue up, frames wait for the flush after them as before,
 * so that a socket gets several in one write). Netty's path for the same bytes (the pipeline, an outbound-buffer
 * entry, a flush, then the same {@code write()}) cost about 1.5 µs per delivery in a fan-out of 200 sockets (perf,
 * 2026-12-07). What the kernel does not take (a full socket buffer) goes the usual way, behind, and the caller
 * flushes it as before.
 *
 * <p>This rests on the epoll transport's public classes ({@link EpollSocketChannel#fd()},
 * {@link FileDescriptor#writeAddress}), on the outbound buffer's count of pending bytes and on the event loop's count
 * of pending tasks; {@code DirectWriteTest} fails if a Netty or Vert.x upgrade changes the pipeline or the transport
 * so that frames no longer go this way, or so that a closed socket would still take frames.
 */
final class DirectWrite {
    private final Channel channel;
    private final FileDescriptor fd;

    private DirectWrite(Channel channel, FileDescriptor fd) {
        this.channel = channel;
        this.fd = fd;
    }

    /**
     * The direct way for frames written at {@code encoder}, or null where they must go through the pipeline: another
     * transport, or a handler between the encoder and the socket that writes (TLS).
     */
    static DirectWrite at(ChannelHandlerContext encoder) {
        if (!(encoder.channel() instanceof EpollSocketChannel epoll)) {
            return null;
        }
        for (Map.Entry<String, ChannelHandler> entry : encoder.pipeline()) {
            if (entry.getKey().equals(encoder.name())) {
                return new DirectWrite(epoll, epoll.fd());
            }
            if (entry.getValue() instanceof ChannelOutboundHandler) {
                return null; // it would see the frame first
            }
        }
        return null;
    }

    /**
     * On {@code loop}, with no task waiting there: another event on its way (a bus message, a flush already due) would
     * rather share this socket's next write, as it did before frames went directly.
     */
    private static boolean idle(EventLoop loop) {
        return loop.inEventLoop() && loop instanceof SingleThreadEventExecutor executor && executor.pendingTasks() == 0;
    }

    /**
     * Writes {@code frame}'s readable bytes to the socket if nothing is waiting before them; answers how many the kernel
     * took (all, some, or none when the socket buffer is full), or -1 when they must go through the pipeline. Never
     * moves the frame's indexes.
     */
    int write(ByteBuf frame) {
        ChannelOutboundBuffer waiting = channel.unsafe().outboundBuffer();
        if (waiting == null || waiting.totalPendingWriteBytes() > 0 || !waiting.isEmpty() || !channel.isActive()
                || !frame.hasMemoryAddress() || !idle(channel.eventLoop())) {
            return -1;
        }
        try {
            return fd.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
        } catch (IOException failed) {
            return -1; // the pipeline's write meets the same error and closes the channel as usual
        }
    }
}
