package io.herald;

/** Every event-bus address Herald's verticles talk on. Event types are addresses too; they come from the catalog. */
public final class Addresses {
    /** Local request: a token (string, empty for none) → the principal as JSON, or a failure with an error code. */
    public static final String AUTH_VERIFY = "herald.auth.verify";
    /** Prefix of {@link #authVerifyOn(String)}. */
    public static final String AUTH_VERIFY_LOOP_PREFIX = AUTH_VERIFY + ".";
    /**
     * Clustered request (from {@code HeraldClient}, and the HTTP API on its node):
     * {@code {"users":[…],"revokeTokensIssuedBefore":<seconds, optional>}} → {@code {"disconnected":n,"nodes":{"answered":a,"total":t}}}.
     */
    public static final String DISCONNECT = "herald.disconnect";
    /** Clustered publish to every node: close these users' connections ({@code {"users","revokeBefore","expiresAtMs","replyTo"}}). */
    public static final String DISCONNECT_NODES = "herald.disconnect.nodes";
    /** Prefix of the per-request address the nodes answer a {@link #DISCONNECT_NODES} on ({@code {"node","disconnected"}}). */
    public static final String DISCONNECT_REPLY_PREFIX = "herald.disconnect.reply.";
    /** Clustered request from JVM services (see {@code HeraldClient}): a publish request → {@code {"id","seq"}}. */
    public static final String PUBLISH = "herald.publish";
    /** Clustered publish: each node's stats snapshot, every stats interval. */
    public static final String STATS_NODE = "herald.stats.node";
    /** Local request: → the cluster-wide stats view. */
    public static final String STATS_CLUSTER = "herald.stats.cluster";
    /**
     * Clustered publish: a node's open connections per client IP, for the IPs near the cluster-wide cap
     * ({@code {"node":…,"ips":{"<ip>":<count>,…}}}), every report interval while it has any.
     */
    public static final String LIMITS_CONNECTIONS = "herald.limits.connections";
    /** Clustered publish: a node's presence delta or snapshot, or its heartbeat ({@code {"node","member","seq"}}). */
    public static final String PRESENCE_DELTA = "herald.presence.delta";
    /** Prefix of {@link #presenceNode(String)}. */
    public static final String PRESENCE_NODE_PREFIX = "herald.presence.node.";
    /** Local request: {@code {}} → everyone online, {@code {"room":…}} → the room's members, {@code {"summary":true}} → the counts. */
    public static final String PRESENCE_QUERY = "herald.presence.query";
    /**
     * Clustered publish: one room signal ({@code herald:signal}) on its way to every other node, once per node
     * ({@code {"node","room","key","expiresAt","body"}}, body the client frame's body as JSON text).
     */
    public static final String SIGNAL = "herald.signal";
    /** Local request: → every webhook's state ({@code GET /api/webhooks}), read from the cluster's kept positions. */
    public static final String WEBHOOKS_STATUS = "herald.webhooks.status";
    /**
     * Control address (a client's {@code send}, never on the bus): a page of the connection's user's inbox,
     * {@code {"limit"?, "next"?}} → {@code {"entries":[<envelope>…],"unread","next"?,"more"}} (docs/backends.md).
     */
    public static final String INBOX = "herald:inbox";
    /** Control address: acknowledge inbox entries, {@code {"ids":[…]}} → {@code {"acked":n}}. */
    public static final String INBOX_ACK = "herald:ack";
    /** Prefix of {@link #delivery(String)}. */
    public static final String DELIVERY_PREFIX = "herald.deliver.";

    /**
     * Clustered publish: an event type's numbered events ({@code EventBatch}) on their way to every node's
     * delivery. The type's own address ({@code order:created}) is where JVM services publish raw events.
     */
    public static String delivery(String type) {
        return DELIVERY_PREFIX + type;
    }

    /**
     * Local request, like {@link #AUTH_VERIFY}, to the auth instance running on the event loop thread named
     * {@code loopThread}: a verification asked from an event loop runs on that loop, never behind another's.
     */
    public static String authVerifyOn(String loopThread) {
        return AUTH_VERIFY_LOOP_PREFIX + loopThread;
    }

    /** Clustered request to one node: → a snapshot of its part of presence. */
    public static String presenceNode(String nodeId) {
        return PRESENCE_NODE_PREFIX + nodeId;
    }

    private Addresses() {
    }
}
