package io.herald.bridge;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/** A SockJS session on a transport other than WebSocket (xhr-streaming, eventsource, …): vertx-web frames it. */
final class SockJsFallbackSocket implements ClientSocket {
    private final SockJSSocket socket;

    SockJsFallbackSocket(SockJSSocket socket) {
        this.socket = socket;
    }

    @Override
    public String uri() {
        return socket.uri();
    }

    @Override
    public MultiMap headers() {
        return socket.headers();
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
        socket.write(frameJson);
    }

    @Override
    public boolean deliver(SharedFrame frame) {
        socket.write(frame.text());
        return false;
    }

    @Override
    public void close(int code, String reason) {
        socket.close(code, reason);
    }
}
