package io.herald.bridge;

import io.herald.delivery.SharedFrame;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DirectWrite} on a real epoll WebSocket: frames go straight to the socket (this fails after a Netty or Vert.x
 * upgrade that changed the transport or put a writing handler before the frame encoder: revisit the class); they wait
 * for the flush while another task is queued on the loop; and when the client stops reading, what the kernel does not
 * take goes through the pipeline behind, every frame whole and in order once the client reads again.
 */
class DirectWriteTest extends VertxWebSocketTest {
    @BeforeEach
    void onTheEpollTransport() {
        vertx.close().await();
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        assertTrue(vertx.isNativeTransportEnabled(), "the epoll transport is on the class path (herald.jar ships it)");
    }

    /** The server's side of the next WebSocket, and the event loop it runs on. */
    private record Served(WebSocketClientSocket socket, Context context) {
    }

    private HttpServer serve(CompletableFuture<Served> served) {
        return listen(vertx.createHttpServer().webSocketHandler(ws ->
                served.complete(new Served(new WebSocketClientSocket(ws, false, 1 << 20), vertx.getOrCreateContext()))));
    }

    /** Delivers frames on the socket's event loop as the fan-out does, flushing where it asks to; answers how many went directly. */
    private static int deliver(Served served, List<String> texts) throws Exception {
        CompletableFuture<Integer> direct = new CompletableFuture<>();
        served.context().runOnContext(v -> {
            int written = 0;
            boolean flush = false;
            for (String text : texts) {
                SharedFrame frame = new SharedFrame(text);
                boolean held = served.socket().deliver(frame, true); // events that came alone, as at 100 a second
                frame.release();
                if (held) {
                    flush = true;
                } else if (!flush) {
                    written++; // nothing held before it: it went to the socket whole
                }
            }
            if (flush) {
                served.socket().flush();
            }
            direct.complete(written);
        });
        return direct.get(10, TimeUnit.SECONDS);
    }

    private static List<Boolean> overloadedAndChannelWritable(Served side) {
        CompletableFuture<List<Boolean>> state = new CompletableFuture<>();
        side.context().runOnContext(v -> state.complete(List.of(side.socket().overloaded(), side.socket().channel.channel().isWritable())));
        return state.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void eventFramesGoStraightToTheSocket() throws Exception {
        CompletableFuture<Served> served = new CompletableFuture<>();
        HttpServer server = serve(served);
        WebSocket client = connect(server, new WebSocketClientOptions(), "/eventbus/websocket");
        List<String> received = new ArrayList<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        client.textMessageHandler(text -> {
            received.add(text);
            if (received.size() == 3) {
                all.complete(null);
            }
        });
        Served side = served.get(10, TimeUnit.SECONDS);
        assertTrue(side.socket().writesDirectly(), "Netty's epoll transport or the WebSocket pipeline changed: revisit DirectWrite");
        assertEquals(3, deliver(side, List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}")), "each frame went to the socket at once");
        all.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}"), received);
    }

    @Test
    void aSocketClosedOnItsLoopTakesNoMoreFramesAndCountsAsNotWritable() throws Exception {
        CompletableFuture<Served> served = new CompletableFuture<>();
        HttpServer server = serve(served);
        connect(server, new WebSocketClientOptions(), "/eventbus/websocket");
        Served side = served.get(10, TimeUnit.SECONDS);
        CompletableFuture<List<Boolean>> after = new CompletableFuture<>();
        side.context().runOnContext(v -> {
            side.socket().abort(); // its descriptor is closed: the number may be the next connection's
            SharedFrame frame = new SharedFrame("{\"n\":1}");
            boolean notWritten = side.socket().deliver(frame, true);
            frame.release();
            after.complete(List.of(notWritten, side.socket().overloaded()));
        });
        assertEquals(List.of(true, true), after.get(10, TimeUnit.SECONDS),
                "the frame did not go to the closed descriptor, and the socket is not writable, as Netty's Channel#isWritable says");
    }

    @Test
    void withAnotherTaskQueuedOnTheLoopFramesWaitForTheFlushToShareAWrite() throws Exception {
        CompletableFuture<Served> served = new CompletableFuture<>();
        HttpServer server = serve(served);
        WebSocket client = connect(server, new WebSocketClientOptions(), "/eventbus/websocket");
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.textMessageHandler(received::add);
        Served side = served.get(10, TimeUnit.SECONDS);
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        side.context().runOnContext(v -> {
            side.context().runOnContext(next -> { }); // as the next event's bus message would be
            SharedFrame frame = new SharedFrame("{\"n\":1}");
            boolean flush = side.socket().deliver(frame, true);
            frame.release();
            held.complete(flush);
            side.socket().flush();
        });
        assertTrue(held.get(10, TimeUnit.SECONDS), "the frame waited for the flush");
        io.herald.testing.Eventually.assertEventually("the flushed frame arrives", () -> received.equals(List.of("{\"n\":1}")));
    }

    @Test
    void whatTheKernelDoesNotTakeFollowsThroughThePipelineWholeAndInOrder() throws Exception {
        CompletableFuture<Served> served = new CompletableFuture<>();
        HttpServer server = serve(served);
        WebSocket client = connect(server, new WebSocketClientOptions().setMaxFrameSize(1 << 16), "/eventbus/websocket");
        int count = 2_000;
        String padding = "x".repeat(16_000);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            texts.add("{\"n\":" + i + ",\"pad\":\"" + padding + "\"}");
        }
        List<String> received = new ArrayList<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        client.textMessageHandler(text -> {
            received.add(text);
            if (received.size() == count) {
                all.complete(null);
            }
        });
        client.pause(); // 32 MB for a client that does not read: more than the loopback socket buffers hold
        Served side = served.get(10, TimeUnit.SECONDS);
        int direct = deliver(side, texts);
        assertTrue(direct > 0 && direct < count, direct + " of " + count + " frames went to the socket before it filled");
        // DirectWrite holds the channel's outbound buffer: its writability is the channel's, full and drained
        assertEquals(List.of(true, false), overloadedAndChannelWritable(side));
        client.resume();
        all.get(30, TimeUnit.SECONDS);
        io.herald.testing.Eventually.assertEventually("the drained socket is writable again, as its channel",
                () -> overloadedAndChannelWritable(side).equals(List.of(false, true)));
        for (int i = 0; i < count; i++) {
            assertEquals(texts.get(i), received.get(i), "frame " + i);
        }
        assertFalse(received.size() > count);
    }
}
