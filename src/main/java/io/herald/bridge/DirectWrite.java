package io.herald.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
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
 * {@link Socket#writeAddress}), on the outbound buffer's count of pending bytes and on the event loop's count
 * of pending tasks; {@code DirectWriteTest} fails if a Netty or Vert.x upgrade changes the pipeline or the transport
 * so that frames no longer go this way, so that a closed socket would still take frames, or so that the outbound
 * buffer held here is no longer the one the channel writes through.
 */
final class DirectWrite {
    /**
     * What the checks of each delivery read, held here rather than reached through the channel each time (the channel,
     * its unsafe, its event loop): in a fan-out to 1,000 sockets each of those reads may miss the core's caches, and
     * holding them saved about 0.11 µs of 7.6 per delivery (docs/benchmarks.md, "Paired within one run"). The channel
     * keeps its outbound buffer and its event loop for life; it drops the buffer when its output is shut down or it
     * closes, and the socket's state says both.
     */
    private final ChannelOutboundBuffer outbound;
    private final SingleThreadEventExecutor loop;
    private final Socket fd;

    private DirectWrite(ChannelOutboundBuffer outbound, SingleThreadEventExecutor loop, Socket fd) {
        this.outbound = outbound;
        this.loop = loop;
        this.fd = fd;
    }

    /**
     * The direct way for frames written at {@code encoder}, or null where they must go through the pipeline: another
     * transport, or a handler between the encoder and the socket that writes (TLS).
     */
    static DirectWrite at(ChannelHandlerContext encoder) {
        if (!(encoder.channel() instanceof EpollSocketChannel epoll) || !(epoll.fd() instanceof Socket fd)
                || !(epoll.eventLoop() instanceof SingleThreadEventExecutor loop)) {
            return null;
        }
        ChannelOutboundBuffer outbound = epoll.unsafe().outboundBuffer();
        if (outbound == null) {
            return null; // closed already
        }
        for (Map.Entry<String, ChannelHandler> entry : encoder.pipeline()) {
            if (entry.getKey().equals(encoder.name())) {
                return new DirectWrite(outbound, loop, fd);
            }
            if (entry.getValue() instanceof ChannelOutboundHandler) {
                return null; // it would see the frame first
            }
        }
        return null;
    }

    /** As Netty's {@code Channel#isWritable()}: open, its output not shut down, and its outbound buffer under the high watermark. */
    boolean writable() {
        return open() && outbound.isWritable();
    }

    private boolean open() {
        return fd.isOpen() && !fd.isOutputShutdown();
    }

    /**
     * On the channel's event loop, with no task waiting there: another event on its way (a bus message, a flush already
     * due) would rather share this socket's next write, as it did before frames went directly.
     */
    private boolean idle() {
        return loop.inEventLoop() && loop.pendingTasks() == 0;
    }

    /**
     * Writes {@code frame}'s readable bytes to the socket if nothing is waiting before them; answers how many the kernel
     * took (all, some, or none when the socket buffer is full), or -1 when they must go through the pipeline. Never
     * moves the frame's indexes.
     */
    int write(ByteBuf frame) {
        if (outbound.totalPendingWriteBytes() > 0 || !outbound.isEmpty() || !open() || !frame.hasMemoryAddress() || !idle()) {
            return -1;
        }
        try {
            return fd.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
        } catch (IOException failed) {
            return -1; // the pipeline's write meets the same error and closes the channel as usual
        }
    }
}
