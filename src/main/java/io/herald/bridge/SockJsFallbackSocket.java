package io.herald.bridge;

import io.herald.delivery.ClientSocket;
import io.herald.delivery.SharedFrame;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/** A SockJS session on a transport other than WebSocket (xhr-streaming, eventsource, …): vertx-web frames it. */
public final class SockJsFallbackSocket implements ClientSocket {
    private final SockJSSocket socket;
    private final boolean eventSource;
    /** The last write: vertx-web completes writes in order, when the transport has sent them (or the session closed). */
    private Future<Void> lastWrite;

    /** The session's first request's headers {@link CapturedHeaders} kept before vertx-web dropped its cookies; null: none. */
    private MultiMap headers;

    public SockJsFallbackSocket(SockJSSocket socket, int maxOutboundBytes) {
        this.socket = socket;
        socket.setWriteQueueMaxSize(maxOutboundBytes);
        this.eventSource = socket.uri().contains("/eventsource");
        MultiMap captured = socket.routingContext() == null ? null : socket.routingContext().get(CapturedHeaders.KEY);
        if (captured != null) {
            // vertx-web's SockJS sockets carry no Cookie header: the values captured before its router stand in
            headers = MultiMap.caseInsensitiveMultiMap().addAll(socket.headers());
            for (String name : captured.names()) {
                headers.set(name, captured.getAll(name));
            }
        }
    }

    /**
     * sockjs-client runs {@code decodeURI} over each eventsource message, and vertx-web does not escape
     * {@code %} for it (sockjs-node does), so "50% off" would throw in the browser and "a%20b" arrive as
     * "a b". In JSON text a {@code %} can only be inside a string, where {@code \u0025} means the same.
     */
    private String framed(String frameJson) {
        return eventSource ? frameJson.replace("%", "\\u0025") : frameJson;
    }

    /** The last segment of the session's URI: xhr_streaming, xhr (polling), eventsource, htmlfile, jsonp. */
    @Override
    public String transport() {
        String path = socket.uri();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        String last = path.substring(path.lastIndexOf('/') + 1);
        return switch (last) {
            case "xhr_streaming", "xhr", "eventsource", "htmlfile", "jsonp" -> last;
            default -> "sockjs";
        };
    }

    @Override
    public String uri() {
        return socket.uri();
    }

    @Override
    public String remoteAddress() {
        return socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress();
    }

    @Override
    public MultiMap headers() {
        return headers != null ? headers : socket.headers();
    }

    @Override
    public void pause() {
        socket.pause();
    }

    @Override
    public void resume() {
        socket.resume();
    }

    @Override
    public void frameHandler(Handler<String> handler) {
        socket.handler(data -> handler.handle(data.toString()));
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        socket.closeHandler(handler);
    }

    @Override
    public void send(String frameJson) {
        lastWrite = socket.write(framed(frameJson));
    }

    @Override
    public boolean deliver(SharedFrame frame) {
        lastWrite = socket.write(framed(frame.text()));
        return false;
    }

    @Override
    public void whenDrained(Runnable drained) {
        Future<Void> last = lastWrite;
        if (last == null) {
            drained.run();
        } else {
            last.onComplete(done -> drained.run());
        }
    }

    @Override
    public boolean overloaded() {
        return socket.writeQueueFull();
    }

    @Override
    public void close(int code, String reason) {
        // a session closed while a polling transport (xhr-polling) has not fetched what was written drops it: the err
        // frame that says why (and whether to reconnect) must reach the client first, so the close waits for the last write;
        // a client that does not come for it within the session timeout is gone, and is closed anyway
        boolean[] closed = {false};
        Runnable closeOnce = () -> {
            if (!closed[0]) {
                closed[0] = true;
                socket.close(code, reason);
            }
        };
        whenDrained(closeOnce);
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (!closed[0] && context != null) {
            context.owner().setTimer(CLOSE_WAIT_MS, id -> closeOnce.run());
        }
    }

    /** How long a close waits for a polling client to fetch the last frames: vertx-web's SockJS session timeout. */
    static final long CLOSE_WAIT_MS = 5000;

    @Override
    public void abort() {
        socket.close();
    }
}
