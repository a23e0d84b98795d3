package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** The server frames of the Vert.x event-bus bridge protocol: {@code rec} and {@code err}. */
public final class BridgeFrames {
    private BridgeFrames() {
    }

    /** A {@code rec} frame around a body that is already JSON text (the envelope, encoded once per event). */
    public static String rec(String address, String bodyJson) {
        return "{\"type\":\"rec\",\"address\":" + Json.encode(address) + ",\"body\":" + bodyJson + "}";
    }

    /**
     * An {@code err} frame that names the address, so the official client hands it to that address's
     * handler (or to the reply callback, when the address is a reply address).
     */
    public static String err(String address, ErrorCode code, String message) {
        JsonObject frame = new JsonObject().put("type", "err");
        if (address != null) {
            frame.put("address", address);
        }
        return frame.put("failureCode", code.status())
                .put("failureType", code.id())
                .put("message", message)
                .put("body", code.id())
                .encode();
    }

    /**
     * The {@code err} frame sent before the hub closes a connection it refused at open: no address, the refusal's
     * code as failure type, and the close's {@code reconnect} (what a client on a fallback transport, which sees the
     * close as 3000, decides from).
     */
    public static String refusal(ErrorCode code, String message, CloseReason close) {
        return unaddressed(code.status(), code.id(), message, close.reconnect());
    }

    /** The {@code err} frame sent before the hub closes a connection: no address, the close reason as failure type. */
    static String closing(CloseReason reason, String message) {
        return unaddressed(reason.code(), reason.id(), message, reason.reconnect());
    }

    private static String unaddressed(int failureCode, String failureType, String message, boolean reconnect) {
        return new JsonObject().put("type", "err")
                .put("failureCode", failureCode)
                .put("failureType", failureType)
                .put("message", message)
                .put("body", failureType)
                .put("reconnect", reconnect)
                .encode();
    }
}
