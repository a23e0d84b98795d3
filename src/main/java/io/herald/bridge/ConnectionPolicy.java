package io.herald.bridge;

import io.herald.delivery.Connection;
import io.herald.delivery.Refresh;
import io.herald.delivery.RegisterFrame;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * One capability's part in the life of bridge connections (access rules, limits, presence, …). The
 * bridge keeps the protocol (parsing, dispatch, {@code err} frames, transports) and asks each policy,
 * in order, at every step of a connection's life; a policy refuses a step by throwing (or failing
 * with) a {@link io.herald.HeraldException}, whose code the client gets in an {@code err} frame. Every
 * method runs on the connection's event loop.
 */
public interface ConnectionPolicy {
    /** The kind {@link #onFrame} gets for a frame that is not a JSON object with a string type (or is too large). */
    String KIND_INVALID = "invalid";

    /**
     * A connection attempt from {@code remoteAddress}, when its transport opens (a WebSocket after its handshake, a
     * SockJS session at its first request), before its token is verified; throwing a
     * {@link io.herald.HeraldException} refuses it (an {@code err} frame, then the close that goes with the code).
     * Nothing was admitted yet: a refused attempt gets no {@link #onClose}.
     */
    default void onAttempt(String remoteAddress) {
    }

    /** A connection was authenticated; a failed future refuses it (the socket is closed with the code). */
    default Future<Void> onOpen(Connection connection) {
        return Future.succeededFuture();
    }

    /**
     * Every frame the client sends, before it is handled: {@code kind} is its type ({@code register},
     * {@code unregister}, {@code publish}, {@code send}, {@code ping}, …) or {@code invalid} for one that is
     * not a JSON object with a string type ({@link #KIND_INVALID}). Refusing it answers an {@code err}; the frame is not handled.
     */
    default void onFrame(Connection connection, String kind) {
    }

    /**
     * A frame that arrived while {@code MAX_WAITING_FRAMES} frames wait behind one not handled yet: it is dropped
     * (an {@code unavailable} err) and counts as a refused frame, as a frame over the rate does.
     */
    default void onOverflow(Connection connection) {
    }

    /** A register of a catalog type, before it is subscribed; may set its access, must refuse what it does not allow. */
    default void onRegister(Connection connection, RegisterFrame register) {
    }

    /** A publish or send of a catalog type, before it is published; may rewrite its data. */
    default void onPublish(Connection connection, PublishFrame publish) {
    }

    /**
     * Claims a connection opens with or refreshes to ({@code herald:token}), before anything is decided from them:
     * throwing a {@link io.herald.HeraldException} refuses them (a refresh then changes nothing).
     */
    default void checkClaims(Connection connection, io.herald.auth.Principal claims) {
    }

    /**
     * A refreshed token (same user) replaced the connection's claims: decide again what was decided from the
     * old ones (the access to each registered type, rooms, counts), as {@link Refresh} says.
     */
    default void onRefresh(Connection connection, Refresh refresh) {
    }

    /** The control addresses ({@code herald:…}) this policy answers, reached with {@code send}. */
    default Map<String, ControlHandler> controls() {
        return Map.of();
    }

    /**
     * The control addresses ({@code herald:…}) this policy lets a connection {@code register} and {@code unregister}
     * though they are no catalog type (where it receives what the policy sends, e.g. {@code herald:signal}).
     */
    default Map<String, ControlChannel> channels() {
        return Map.of();
    }

    /** The connection closed, for whatever reason; its subscriptions are already gone. */
    default void onClose(Connection connection) {
    }

    /**
     * A connection that came without a token, before anything else is decided from its identity: a policy may
     * authenticate it another way (the connect proxy) with a future of its claims, or of null for no identity (it then
     * goes on as without a token: a guest, or refused as {@code auth.allowAnonymous} says); a failed future refuses it
     * with the failure's code. Null: this policy authenticates no connection. The first policy that answers decides.
     */
    default Future<io.herald.auth.Principal> authenticate(io.herald.delivery.ClientSocket socket) {
        return null;
    }

    /**
     * The check this policy makes, after every policy's {@link #onPublish} allowed a publish or send, before it is
     * published (the publish proxy); null: none. Read once, when the bridge is built: a bridge whose policies have no
     * check pays nothing per publish.
     */
    default PublishCheck publishCheck() {
        return null;
    }

    /** Answers one control request: a JSON reply, or a failure with a {@link io.herald.HeraldException}. */
    @FunctionalInterface
    interface ControlHandler {
        Future<JsonObject> handle(Connection connection, JsonObject body);
    }

    /** A publish check ({@link #publishCheck}); runs on the connection's event loop. */
    @FunctionalInterface
    interface PublishCheck {
        /**
         * Null: nothing to wait for (a type it leaves alone); else the publish waits for the future (the connection's
         * later frames wait behind it), which may rewrite the data ({@link PublishFrame#data(JsonObject)}) and refuses
         * the publish by failing with a {@link io.herald.HeraldException}.
         */
        Future<Void> check(Connection connection, PublishFrame publish);
    }

    /** A control address a connection registers to receive frames on; both run on the connection's event loop. */
    interface ControlChannel {
        void register(Connection connection);

        void unregister(Connection connection);
    }
}
