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

    /** The {@code err} frame sent before the hub closes a connection: no address, the close reason as failure type. */
    static String closing(CloseReason reason, String message) {
        return new JsonObject().put("type", "err")
                .put("failureCode", reason.code())
                .put("failureType", reason.id())
                .put("message", message)
                .put("body", reason.id())
                .put("reconnect", reason.reconnect())
                .encode();
    }
}
