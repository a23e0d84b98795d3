package io.herald.bridge;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;

/**
 * The one place that reaches into Vert.x 5.1 internals, to shrink what an accepted WebSocket keeps for as long as it
 * is open (issue 19: memory per idle connection). Two things, each worth about 4.7 KB of heap per connection:
 * <ol>
 *   <li><b>The upgrade's HTTP/1 connection is let go.</b> Vert.x replaces the pipeline's {@code VertxHandler} with one
 *   whose connection factory is a lambda that captured the upgraded request, hence the HTTP/1 connection with its own
 *   outbound queue, the request, the response and both header maps. The factory has run by the time the WebSocket
 *   handler sees the socket; its reference is cleared so that all of that becomes garbage.</li>
 *   <li><b>The WebSocket connection's outbound queue is backed by a {@link ConcurrentLinkedQueue}.</b> Vert.x's
 *   {@code OutboundMessageQueue} allocates Netty's {@code MpscUnboundedArrayQueue} with a first chunk of 1,024
 *   slots (4.1 KB) plus 0.6 KB of padding, per connection, not settable by any option. Only writes through Vert.x
 *   use it (replies, pings, closes: events go straight to the channel), and it is empty almost always; a
 *   {@link ConcurrentLinkedQueue} is as safe for many producers and one consumer (the queue only adds and polls) and
 *   costs 48 bytes empty. It is swapped on the socket's event loop before anything was written through it.</li>
 * </ol>
 * Neither is an option of Vert.x. If a Vert.x upgrade renames or reshapes these fields, {@link #trim} changes
 * nothing (the socket keeps the stock structures and works as before), logs once, and
 * {@code WebSocketFootprintTest} fails, so the upgrade is noticed and this class revisited.
 */
public final class WebSocketFootprint {
    private static final Logger LOG = Logger.getLogger(WebSocketFootprint.class.getName());
    private static final Internals INTERNALS = Internals.find();

    private WebSocketFootprint() {
    }

    /** Whether this Vert.x has the fields trimmed here (false after an upgrade that changed them). */
    public static boolean available() {
        return INTERNALS != null;
    }

    /**
     * Trims a WebSocket just accepted, on its event loop, before anything is written to it. Returns whether both
     * parts were done; a socket not trimmed works exactly as before.
     */
    public static boolean trim(ServerWebSocket ws) {
        if (INTERNALS == null || !(ws instanceof WebSocketInternal internal)) {
            return false;
        }
        ChannelHandlerContext context = internal.channelHandlerContext();
        try {
            ChannelHandler handler = context.handler();
            if (!INTERNALS.vertxHandler.isInstance(handler)) {
                return false;
            }
            Object connection = INTERNALS.handlerConnection.get(handler);
            Object outbound = INTERNALS.connectionOutbound.get(connection);
            if (!INTERNALS.outboundQueueClass.isInstance(outbound)) {
                return false; // a direct queue (strict thread mode): nothing to shrink there
            }
            Object messages = INTERNALS.outboundMessages.get(outbound);
            if (!((Queue<?>) INTERNALS.messagesQueue.get(messages)).isEmpty()) {
                return false;
            }
            INTERNALS.messagesQueue.set(messages, new ConcurrentLinkedQueue<>());
            INTERNALS.handlerFactory.set(handler, null);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("could not trim a WebSocket's Vert.x structures (" + e + "); it keeps them");
            return false;
        }
    }

    /** The Vert.x 5.1 fields, looked up once; null if any is missing or of another type. */
    private record Internals(Class<?> vertxHandler, Field handlerFactory, Field handlerConnection, Field connectionOutbound,
                             Class<?> outboundQueueClass, Field outboundMessages, Field messagesQueue) {
        static Internals find() {
            try {
                Class<?> handler = Class.forName("io.vertx.core.net.impl.VertxHandler");
                Class<?> vertxConnection = Class.forName("io.vertx.core.net.impl.VertxConnection");
                Class<?> outboundQueue = Class.forName("io.vertx.core.internal.concurrent.OutboundMessageQueue");
                Class<?> passing = Class.forName("io.vertx.core.streams.impl.MessagePassingQueue");
                Internals found = new Internals(handler,
                        field(handler, "connectionFactory", java.util.function.Function.class),
                        field(handler, "conn", Object.class),
                        field(vertxConnection, "outboundMessageQueue", Object.class),
                        outboundQueue,
                        field(outboundQueue, "mqp", passing),
                        field(passing, "queue", Queue.class));
                return found;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warning("Vert.x internals for trimming WebSockets not found (" + e + "): each WebSocket keeps about 9 KB more");
                return null;
            }
        }

        private static Field field(Class<?> owner, String name, Class<?> type) throws NoSuchFieldException {
            Field field = owner.getDeclaredField(name);
            if (!type.isAssignableFrom(field.getType())) {
                throw new NoSuchFieldException(owner.getName() + "." + name + " is a " + field.getType().getName());
            }
            field.setAccessible(true);
            return field;
        }
    }
}
