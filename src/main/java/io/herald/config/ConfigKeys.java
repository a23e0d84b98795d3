package io.herald.config;

import io.herald.config.ConfigKey.Type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key of {@code herald.json}, declared once: path, type, default, range, environment names, doc, whether prod
 * requires it. {@link HeraldConfig} reads the node's configuration from these, {@link ConfigReference} generates
 * {@code docs/configuration.md} from them, and {@code ConfigKeysTest} holds {@code conf/herald.json} to them.
 *
 * <p>A new key: one line here (in its section, in the order the docs should list it), one read in
 * {@link HeraldConfig#fromJson}, its value in {@code conf/herald.json} if it is user-facing, then regenerate the docs
 * ({@code mvn -B -o test -Dtest=ConfigReferenceTest -Dherald.regenerate=true}).
 */
public final class ConfigKeys {
    private static final List<ConfigKey> ALL = new ArrayList<>();
    private static final Map<String, String> SECTIONS = new LinkedHashMap<>();

    /** Not a key: the environment variable naming the herald.json to read (default {@value #DEFAULT_CONF}). */
    public static final String ENV_CONF = "HERALD_CONF";
    public static final String DEFAULT_CONF = "conf/herald.json";

    static {
        section("", "The mode, and the files herald.json names (relative to herald.json's folder; from the environment, "
                + "to the working directory; a default-named file the folder lacks is the jar's built-in copy).");
    }

    public static final ConfigKey MODE = key("mode", Type.CHOICE).choices("dev", "prod").def("dev")
            .doc("`dev` listens on loopback, allows any origin and prints a console URL with an admin token; `prod` refuses "
                    + "the shipped JWT secret and API key, short secrets and an empty origin list");
    public static final ConfigKey CATALOG = key("catalog", Type.FILE).def("catalog.json")
            .doc("the event catalog: namespaces, their event types and owner field");
    public static final ConfigKey ROLES = key("roles", Type.FILE).def("roles.json")
            .doc("the role matrix: what each role reads and publishes, the anonymous role");
    public static final ConfigKey ROOMS = key("rooms", Type.FILE).def("rooms.json")
            .doc("who may join which rooms and who may see presence");

    static {
        section("http", "The HTTP server: the publish API, the SockJS/WebSocket bridge, the console.");
    }

    public static final ConfigKey HTTP_HOST = key("http.host", Type.STRING).defText("`127.0.0.1` in dev, `0.0.0.0` in prod")
            .doc("listen address");
    public static final ConfigKey HTTP_PORT = key("http.port", Type.INTEGER).def(8080).range(0, 65535)
            .doc("HTTP port (0: any free port, with a single HTTP instance)");
    public static final ConfigKey HTTP_INSTANCES = key("http.instances", Type.INTEGER).def(0).range(0, 64)
            .doc("HTTP verticles (event loops) sharing the port, each serving its share of the sockets; 0: one per available core");
    public static final ConfigKey HTTP_MAX_BODY_BYTES = key("http.maxBodyBytes", Type.INTEGER).def(65536).range(256, 16 * 1024 * 1024)
            .doc("largest publish body, in bytes (`400 body_too_large`)");
    public static final ConfigKey HTTP_MAX_BATCH_SIZE = key("http.maxBatchSize", Type.INTEGER).def(500).range(1, 100_000)
            .doc("most events in one publish batch (`400 batch_too_large`)");
    public static final ConfigKey HTTP_ALLOWED_ORIGINS = key("http.allowedOrigins", Type.STRING_LIST).def(List.of())
            .alias("HERALD_ALLOWED_ORIGINS").requiredInProd()
            .doc("browser origins (`scheme://host[:port]`) allowed to open bridge connections and call the API; "
                    + "empty: any (dev only); `*`: any, explicitly");
    public static final ConfigKey HTTP_TLS_CERT = key("http.tlsCert", Type.PATH).alias("HERALD_TLS_CERT")
            .doc("PEM certificate: HTTPS and WSS on the HTTP port, no plain-HTTP fallback (with `http.tlsKey`, both or neither)");
    public static final ConfigKey HTTP_TLS_KEY = key("http.tlsKey", Type.PATH).alias("HERALD_TLS_KEY")
            .doc("PEM private key of `http.tlsCert`");

    static {
        section("cluster", "Clustering over Hazelcast and the event bus between nodes (see docs/cluster.md).");
    }

    public static final ConfigKey CLUSTER_ENABLED = key("cluster.enabled", Type.BOOLEAN).def(true).alias("HERALD_CLUSTER")
            .doc("`false`: a single node without Hazelcast");
    public static final ConfigKey CLUSTER_CONFIG_FILE = key("cluster.configFile", Type.FILE).def("../cluster.xml").alias("HERALD_CLUSTER_CONFIG")
            .doc("the Hazelcast configuration (discovery, ports)");
    public static final ConfigKey CLUSTER_HOST = key("cluster.host", Type.STRING).def("127.0.0.1")
            .doc("address (IP, or a host name resolved at start) of this node's event-bus connections to the others");
    public static final ConfigKey CLUSTER_PORT = key("cluster.port", Type.INTEGER).def(0).range(0, 65535)
            .doc("port of this node's event bus (0: any free port; fix it to open it in a firewall)");
    public static final ConfigKey CLUSTER_MIN_MEMBERS = key("cluster.minMembers", Type.INTEGER).def(0).range(0, 1000)
            .doc("below this many members the node is cut off: not ready, no history appends or reads, its clients sent "
                    + "to other nodes; 0: a majority of the voting members");
    public static final ConfigKey CLUSTER_WIRE_VERSION = key("cluster.wireVersion", Type.INTEGER)
            .def(io.herald.WireVersion.CURRENT).range(io.herald.WireVersion.PREVIOUS, io.herald.WireVersion.CURRENT)
            .doc("the newest wire version this node reads and writes; 1 forces the previous release's formats, for an upgrade "
                    + "and the mixed-version test ([cluster.md](cluster.md#upgrades-and-wire-versions))");
    public static final ConfigKey CLUSTER_ROUTE_CHECK_MS = key("cluster.routeCheckMs", Type.INTEGER).def(5_000).range(100, 3_600_000)
            .doc("how often the node checks the event bus's view of which nodes consume each address against the cluster's "
                    + "table, and corrects it where it went stale (also a second after each membership change; "
                    + "[cluster.md](cluster.md#bus-routes-after-a-partition))");
    public static final ConfigKey CLUSTER_TLS_CERT_PATH = key("cluster.tls.certPath", Type.PATH)
            .doc("mutual TLS on the event bus: this node's certificate (PEM, with `keyPath`); off when no identity is set");
    public static final ConfigKey CLUSTER_TLS_KEY_PATH = key("cluster.tls.keyPath", Type.PATH)
            .doc("this node's private key (PEM)");
    public static final ConfigKey CLUSTER_TLS_TRUST_PATH = key("cluster.tls.trustPath", Type.PATH)
            .doc("the CA certificates (PEM) the other nodes' certificates must chain to");
    public static final ConfigKey CLUSTER_TLS_KEY_STORE = key("cluster.tls.keyStore", Type.PATH)
            .doc("this node's key and certificate as PKCS#12, instead of `certPath`/`keyPath`");
    public static final ConfigKey CLUSTER_TLS_KEY_STORE_PASSWORD = key("cluster.tls.keyStorePassword", Type.SECRET)
            .doc("password of `keyStore`");
    public static final ConfigKey CLUSTER_TLS_TRUST_STORE = key("cluster.tls.trustStore", Type.PATH)
            .doc("the CA certificates as PKCS#12, instead of `trustPath`");
    public static final ConfigKey CLUSTER_TLS_TRUST_STORE_PASSWORD = key("cluster.tls.trustStorePassword", Type.SECRET)
            .doc("password of `trustStore`");

    static {
        section("auth", "Tokens (JWT) of browser connections and of admin calls to the API.");
    }

    public static final ConfigKey AUTH_JWT_SECRET = key("auth.jwtSecret", Type.SECRET).alias("HERALD_JWT_SECRET").requiredInProd()
            .shipped("the development secret, so that dev mode runs as cloned; prod refuses it")
            .doc("HS256 key (prod: at least 32 bytes); needed unless `auth.jwtPublicKey` is set");
    public static final ConfigKey AUTH_JWT_PUBLIC_KEY = key("auth.jwtPublicKey", Type.STRING)
            .doc("RS256 public key (PEM text, or the path of a PEM file); replaces the secret for verification");
    public static final ConfigKey AUTH_ALLOW_ANONYMOUS = key("auth.allowAnonymous", Type.BOOLEAN).def(true)
            .doc("no token: the roles file's `anonymousRole` (`guest`); `false`: refused");
    public static final ConfigKey AUTH_REQUIRE_EXPIRY = key("auth.requireExpiry", Type.BOOLEAN).def(true)
            .doc("refuse tokens without `exp`");
    public static final ConfigKey AUTH_LEEWAY_SECONDS = key("auth.leewaySeconds", Type.INTEGER).def(5).range(0, 3600)
            .doc("clock skew allowed on `exp` and `nbf`");
    public static final ConfigKey AUTH_AUDIENCE = key("auth.audience", Type.STRING)
            .doc("when set, tokens must carry this `aud` (one of)");
    public static final ConfigKey AUTH_ISSUER = key("auth.issuer", Type.STRING)
            .doc("when set, tokens must carry this `iss`");
    public static final ConfigKey AUTH_MAX_TOKEN_LIFETIME_SECONDS = key("auth.maxTokenLifetimeSeconds", Type.INTEGER).def(86_400)
            .range(60, 10L * 365 * 86_400)
            .doc("how long a revocation (`revokeTokensIssuedBefore`) is kept; with `auth.requireExpiry` off, the age (`iat`) "
                    + "past which a token is refused");
    public static final ConfigKey AUTH_PREVIOUS_JWT_SECRET = key("auth.previousJwtSecret", Type.SECRET)
            .doc("the HS256 key being rotated out: tokens signed with it are still accepted until `auth.previousJwtSecretUntil` "
                    + "(same prod checks as `auth.jwtSecret`); see [identity.md](identity.md#hs256-secret-rotation)");
    public static final ConfigKey AUTH_PREVIOUS_JWT_SECRET_UNTIL = key("auth.previousJwtSecretUntil", Type.INTEGER).def(0)
            .range(0, Integer.MAX_VALUE)
            .doc("unix seconds after which `auth.previousJwtSecret` is refused; required with it");
    public static final ConfigKey AUTH_JWKS_URL = key("auth.jwksUrl", Type.STRING)
            .doc("the identity provider's JWKS (http or https): RS256, PS256, ES256, EdDSA (and their 384/512 kin) tokens are "
                    + "verified with its keys, picked by `kid`; a token's `jku`/`x5u` are ignored ([identity.md](identity.md))");
    public static final ConfigKey AUTH_JWKS_MIN_REFETCH_SECONDS = key("auth.jwksMinRefetchSeconds", Type.INTEGER).def(30).range(1, 86_400)
            .doc("a token with an unknown `kid` fetches the JWKS again at most once per this many seconds");
    public static final ConfigKey AUTH_JWKS_MIN_REFRESH_SECONDS = key("auth.jwksMinRefreshSeconds", Type.INTEGER).def(60).range(1, 86_400)
            .doc("the JWKS is fetched again after its `Cache-Control` max-age, but never sooner than this");
    public static final ConfigKey AUTH_JWKS_MAX_REFRESH_SECONDS = key("auth.jwksMaxRefreshSeconds", Type.INTEGER).def(3600).range(1, 7 * 86_400)
            .doc("… and never later than this (also the period when the endpoint sends no max-age)");
    public static final ConfigKey AUTH_CLAIMS_USER = key("auth.claims.user", Type.STRING).def("sub")
            .doc("the claim holding the user id (a claim name, else a dotted path)");
    public static final ConfigKey AUTH_CLAIMS_ROLE = key("auth.claims.role", Type.STRING).def("role")
            .doc("the claim holding the role: a claim name, else a dotted path (`realm_access.roles`); a string or a list "
                    + "(the first that maps wins, in the token's order)");
    public static final ConfigKey AUTH_CLAIMS_ROLE_MAP = key("auth.claims.roleMap.<idpRole>", Type.STRING)
            .doc("identity-provider role → Herald role; empty: the token's names are Herald's; from the environment as one "
                    + "JSON object (`HERALD_AUTH_CLAIMS_ROLE_MAP='{\"shop-admin\":\"admin\"}'`)");
    public static final ConfigKey AUTH_CLAIMS_STORE_ID = key("auth.claims.storeId", Type.STRING).def("storeId")
            .doc("the claim holding the store id (a claim name, else a dotted path)");

    static {
        section("api", "The HTTP API of backends.");
    }

    public static final ConfigKey API_KEY = key("api.key", Type.SECRET).requiredInProd()
            .shipped("the development key, so that dev mode runs as cloned; prod refuses it")
            .doc("the publish API key (`Authorization: Bearer`); prod: at least 32 characters, not the shipped one");
    public static final ConfigKey API_IDEMPOTENCY_WINDOW_SECONDS = key("api.idempotencyWindowSeconds", Type.INTEGER).def(600)
            .range(1, 7 * 86_400)
            .doc("how long the answer to a publish with an `Idempotency-Key` is kept: a repeat within it gets the same answer "
                    + "and appends nothing (see docs/backends.md)");
    public static final ConfigKey API_IDEMPOTENCY_MAX_KEYS = key("api.idempotencyMaxKeys", Type.INTEGER).def(100_000)
            .range(1, 10_000_000)
            .doc("the most idempotency keys remembered per event type (a few hundred bytes each, on the node that appends to "
                    + "the type's history): past it the oldest are forgotten before the window ends (see docs/backends.md)");

    static {
        section("bridge", "What one bridge connection (SockJS or WebSocket) may send and hold.");
    }

    public static final ConfigKey BRIDGE_MAX_FRAME_BYTES = key("bridge.maxFrameBytes", Type.INTEGER).def(65536).range(256, 16 * 1024 * 1024)
            .doc("largest client frame, in UTF-8 bytes (err `frame_too_large`; over 4 × that the WebSocket closes, 1009)");
    public static final ConfigKey BRIDGE_MAX_SUBSCRIPTIONS_PER_SOCKET = key("bridge.maxSubscriptionsPerSocket", Type.INTEGER).def(64)
            .range(1, 10_000).doc("registrations per connection (err `too_many_subscriptions`)");
    public static final ConfigKey BRIDGE_MAX_ADDRESS_LENGTH = key("bridge.maxAddressLength", Type.INTEGER).def(256).range(16, 65_536)
            .doc("longest address in a frame (err `invalid_frame`)");
    public static final ConfigKey BRIDGE_MAX_PENDING_REPLIES = key("bridge.maxPendingReplies", Type.INTEGER).def(64).range(1, 100_000)
            .doc("replies awaited at once on one connection (err `too_many_pending_replies`)");
    public static final ConfigKey BRIDGE_MAX_OUTBOUND_BYTES = key("bridge.maxOutboundBytes", Type.INTEGER).def(1 << 20)
            .range(16 * 1024, 1 << 30)
            .doc("bytes written to one connection and not yet sent before it is closed as `slow_consumer`");
    public static final ConfigKey BRIDGE_IDLE_TIMEOUT_SECONDS = key("bridge.idleTimeoutSeconds", Type.INTEGER).def(60).range(0, 86_400)
            .doc("silence after which a connection is closed (`idle_timeout`); 0: never");
    public static final ConfigKey BRIDGE_PING_INTERVAL_SECONDS = key("bridge.pingIntervalSeconds", Type.INTEGER).def(20).range(1, 3_600)
            .doc("WebSocket pings and SockJS heartbeats");
    public static final ConfigKey BRIDGE_LEGACY_TRANSPORTS = key("bridge.legacyTransports", Type.BOOLEAN).def(false)
            .doc("serve the SockJS `jsonp` and `htmlfile` transports (script tags and iframes send no `Origin`, so "
                    + "`http.allowedOrigins` cannot hold them); off: 404");
    public static final ConfigKey BRIDGE_WRITE_DELAY_MS = key("bridge.writeDelayMs", Type.INTEGER).def(0).range(0, 1_000)
            .doc("write-coalescing window, in ms: what reaches one connection within it leaves in one write (SockJS: one "
                    + "`a[…]` frame), flushed by one timer per event loop; adds up to that much latency; 0: off, a "
                    + "frame is written at once, or with the loop turn's flush when events queue up (see docs/operations.md)");
    public static final ConfigKey BRIDGE_COMPRESSION = key("bridge.compression", Type.BOOLEAN).def(true)
            .doc("negotiate WebSocket permessage-deflate (browsers offer it), with no context takeover either way: each "
                    + "event frame of at least `bridge.compressionMinBytes` is compressed once, without context, for every "
                    + "socket that negotiated it; what a client sends compressed is inflated up to `bridge.maxFrameBytes` "
                    + "a message, then closed with frame_too_large (see docs/protocol.md#compression); off: no compression is negotiated");
    public static final ConfigKey BRIDGE_COMPRESSION_MIN_BYTES = key("bridge.compressionMinBytes", Type.INTEGER).def(1024)
            .range(0, 16 * 1024 * 1024)
            .doc("smallest frame, in UTF-8 bytes, sent compressed to a socket that negotiated permessage-deflate; smaller go as they are");
    public static final ConfigKey BRIDGE_INFLATE_BUDGET_BYTES = key("bridge.inflateBudgetBytes", Type.INTEGER).def(16 * 1024 * 1024)
            .range(64 * 1024, 1 << 30)
            .doc("inflated bytes that compressed client messages begun and not yet finished may hold, per event loop; a "
                    + "connection whose unfinished message would pass it is closed with unavailable (1013; see docs/protocol.md#compression)");

    static {
        section("limits", "Rates and caps against floods; the defaults let one backend and the benchmark run unthrottled "
                + "(see docs/security.md).");
    }

    public static final ConfigKey LIMITS_FRAMES_PER_MINUTE = key("limits.framesPerMinute", Type.INTEGER).def(100).range(1, 1_000_000)
            .doc("frames per connection per minute (err `rate_limited`; `ping` frames are free)");
    public static final ConfigKey LIMITS_FRAMES_BURST = key("limits.framesBurst", Type.INTEGER).defText("`limits.framesPerMinute`")
            .range(1, 1_000_000).doc("frames a connection may send at once before its rate applies");
    public static final ConfigKey LIMITS_FRAMES_PER_MINUTE_BY_ROLE = key("limits.framesPerMinuteByRole.<role>", Type.INTEGER)
            .defText("`limits.framesPerMinute`").range(1, 1_000_000)
            .shipped("admin 600, manager 300, staff 300: the roles that run dashboards")
            .doc("frames per minute of a connection of this role");
    public static final ConfigKey LIMITS_FRAMES_PER_MINUTE_BY_KIND = key("limits.framesPerMinuteByKind.<kind>", Type.INTEGER)
            .names("register", "unregister", "publish", "send", "ping", "invalid").defText("none").range(1, 1_000_000)
            .doc("frames of this kind per connection per minute, a bucket of its own beside the connection's");
    public static final ConfigKey LIMITS_FLOOD_CLOSE_AFTER = key("limits.floodCloseAfter", Type.INTEGER).def(50).range(1, 1_000_000)
            .doc("refused frames in a row after which the connection is closed (`rate_limited`)");
    public static final ConfigKey LIMITS_CONNECTIONS_PER_IP = key("limits.connectionsPerIp", Type.INTEGER).def(25_000).range(1, 10_000_000)
            .doc("connections per client IP, whole cluster (err `too_many_connections`)");
    public static final ConfigKey LIMITS_CONNECTIONS_PER_NODE = key("limits.connectionsPerNode", Type.INTEGER).def(20_000).range(1, 10_000_000)
            .doc("connections per node (err `too_many_connections`)");
    public static final ConfigKey LIMITS_CONNECT_ATTEMPTS_PER_IP_PER_SECOND = key("limits.connectAttemptsPerIpPerSecond", Type.INTEGER)
            .def(5_000).range(1, 1_000_000)
            .doc("connection attempts per client IP per second, per node, counted before the token is verified");
    public static final ConfigKey LIMITS_PUBLISH_EVENTS_PER_SECOND = key("limits.publishEventsPerSecond", Type.INTEGER).def(2_000_000)
            .range(1, 100_000_000).doc("publish API events per second per API key, per node (`429 rate_limited`; a batch counts each event)");
    public static final ConfigKey LIMITS_PRESENCE_QUERIES_PER_MINUTE = key("limits.presenceQueriesPerMinute", Type.INTEGER).def(30)
            .range(1, 1_000_000).doc("`herald:presence` queries per connection per minute");
    public static final ConfigKey LIMITS_USER_PUBLISHES_PER_MINUTE = key("limits.userPublishesPerMinute", Type.INTEGER).def(3_000)
            .range(1, 10_000_000)
            .doc("client publishes per user per minute across the user's connections, per node (anonymous: per client IP)");
    public static final ConfigKey LIMITS_SIGNALS_PER_SECOND = key("limits.signalsPerSecond", Type.INTEGER).def(10)
            .range(1, 10_000).doc("`herald:signal` sends per connection per second (err `rate_limited`)");
    public static final ConfigKey LIMITS_STATE_QUERIES_PER_MINUTE = key("limits.stateQueriesPerMinute", Type.INTEGER).def(120)
            .range(1, 1_000_000).doc("`herald:state` pages per connection per minute (err `rate_limited`), counted before the state is read");
    public static final ConfigKey LIMITS_GRAPHQL_WAITING_INIT_PER_LOOP = key("limits.graphqlWaitingInitPerLoop", Type.INTEGER).def(2_000)
            .range(1, 1_000_000).doc("`/graphql` sockets per event loop that may wait for `connection_init` at once (the connection caps count a "
                    + "socket only from its init); beyond, an upgrade is closed `too_many_connections`");

    static {
        section("history", "What history keeps of each event type's stream (recovery, `GET /api/history`).");
    }

    public static final ConfigKey HISTORY_MAX_EVENTS = key("history.maxEvents", Type.INTEGER).def(1000).range(1, 1_000_000)
            .doc("events kept per type");
    public static final ConfigKey HISTORY_MAX_AGE_SECONDS = key("history.maxAgeSeconds", Type.INTEGER).def(86_400).range(0, 30 * 24 * 3600)
            .doc("oldest event kept, in seconds; 0: no age limit");
    public static final ConfigKey HISTORY_NAMESPACE_MAX_EVENTS = key("history.namespaces.<namespace>.maxEvents", Type.INTEGER)
            .defText("`history.maxEvents`").range(1, 1_000_000)
            .shipped("`orders` and `payments` keep 10000")
            .doc("events kept per type of this namespace");
    public static final ConfigKey HISTORY_NAMESPACE_MAX_AGE_SECONDS = key("history.namespaces.<namespace>.maxAgeSeconds", Type.INTEGER)
            .defText("`history.maxAgeSeconds`").range(0, 30 * 24 * 3600)
            .doc("oldest event kept of this namespace, in seconds; 0: no age limit");

    static {
        section("delivery", "Ordering, gap fill and recovery on each node.");
    }

    public static final ConfigKey DELIVERY_HOLD_MS = key("delivery.holdMs", Type.INTEGER).def(200).range(1, 60_000)
            .doc("how long an event that came before its predecessor waits before the gap is read from history");
    public static final ConfigKey DELIVERY_TAIL_CHECK_MS = key("delivery.tailCheckMs", Type.INTEGER).def(1000).range(50, 600_000)
            .doc("how often each type with subscribers checks its stream's tail for events the bus did not bring");
    public static final ConfigKey DELIVERY_LINGER_MS = key("delivery.lingerMs", Type.INTEGER).def(60_000).range(1, 3_600_000)
            .doc("how long a type's delivery stays open on an event loop after its last subscriber left");
    public static final ConfigKey DELIVERY_MAX_RECOVERY_EVENTS = key("delivery.maxRecoveryEvents", Type.INTEGER).def(1000).range(1, 1_000_000)
            .doc("the most events one recovery replays (a longer gap is `recovery_incomplete`)");
    public static final ConfigKey DELIVERY_STALL_MS = key("delivery.stallMs", Type.INTEGER).def(30_000).range(1000, 600_000)
            .doc("how long a type's delivery on a node may make no progress while events wait (history unreachable, in doubt) "
                    + "before its subscribers are closed with `unavailable` to recover elsewhere; at least 3 heartbeat timeouts");
    public static final ConfigKey DELIVERY_MAX_REPLAY_BYTES_IN_FLIGHT = key("delivery.maxReplayBytesInFlight", Type.INTEGER).def(64 << 20)
            .range(64 * 1024, Integer.MAX_VALUE)
            .doc("replay bytes all replays of a node hold in memory at once; past it, replays wait their turn");

    static {
        section("presence", "Cluster-wide presence: who is online, room members, online/offline and room events.");
    }

    public static final ConfigKey PRESENCE_ENABLED = key("presence.enabled", Type.BOOLEAN).def(true)
            .doc("presence and its events on or off (rooms work either way)");
    public static final ConfigKey PRESENCE_FLUSH_MS = key("presence.flushMs", Type.INTEGER).def(100).range(10, 60_000)
            .doc("how often a node sends the others what changed in its users and rooms");
    public static final ConfigKey PRESENCE_ANNOUNCE_FILE = key("presence.announceFile", Type.FILE).def("presence.json")
            .doc("which roles' first and last connections announce which events ([presence.md](presence.md))");

    static {
        section("stats", "Stats and metrics (`/api/stats`, `/metrics`).");
    }

    public static final ConfigKey STATS_INTERVAL_MS = key("stats.intervalMs", Type.INTEGER).def(2000).range(100, 600_000)
            .doc("how often each node shares its stats with the cluster");

    static {
        section("log", "Herald's own log lines.");
    }

    public static final ConfigKey LOG_LEVEL = key("log.level", Type.CHOICE).choices("error", "warn", "info", "debug").def("info")
            .doc("Herald's log level");
    public static final ConfigKey LOG_FORMAT = key("log.format", Type.CHOICE).choices("text", "json").def("text")
            .doc("`json`: every log line one JSON object (`ts`, `level`, `logger`, `message`, `error`)");

    static {
        section("demo", "The built-in shop simulator, publishing business events.");
    }

    public static final ConfigKey DEMO_ENABLED = key("demo.enabled", Type.BOOLEAN).alias("HERALD_DEMO").defText("`true` in dev, `false` in prod")
            .doc("run the simulator");
    public static final ConfigKey DEMO_INTERVAL_MS = key("demo.intervalMs", Type.INTEGER).def(1500).range(10, 3_600_000)
            .doc("one demo event per interval");

    static {
        section("webhooks", "Events POSTed to your backends, signed, at least once and in order per type ([webhooks.md](webhooks.md)).");
    }

    public static final ConfigKey WEBHOOKS = key("webhooks", Type.OBJECT_LIST).def(List.of())
            .doc("each `{\"id\", \"url\", \"types\": [\"order:*\", \"payment:received\", …], \"secret\", \"timeoutMs\"?}`: "
                    + "`id` unique (letters, digits, `-_.`), `url` http or https, `types` event types or `namespace:*`, "
                    + "`secret` the HMAC-SHA256 key of `Herald-Signature` (prod: at least 32 bytes), `timeoutMs` per request "
                    + "(1000..600000, default 10000); from the environment as one JSON array (`HERALD_WEBHOOKS='[…]'`)");

    static {
        section("proxy", "Proxies to your backend: connections without a JWT authenticated by it, client publishes of some types "
                + "checked (and rewritten) by it; each with a timeout, a cap on requests in flight per node and a circuit breaker "
                + "that fails closed with `unavailable` ([backends.md](backends.md#proxies)).");
    }

    public static final ConfigKey PROXY_CONNECT_URL = key("proxy.connect.url", Type.STRING)
            .doc("http(s) URL a connection without a JWT is authenticated by (POST `{\"headers\", \"remoteAddress\"}`); unset: off");
    public static final ConfigKey PROXY_CONNECT_HEADERS = key("proxy.connect.headers", Type.STRING_LIST).def(List.of("cookie", "user-agent"))
            .doc("the request headers of the connection passed to the connect proxy (case-insensitive); no other header is sent");
    public static final ConfigKey PROXY_CONNECT_TIMEOUT_MS = key("proxy.connect.timeoutMs", Type.INTEGER).def(3000).range(50, 60_000)
            .doc("a connect proxy request without a complete answer by then fails (`unavailable`)");
    public static final ConfigKey PROXY_CONNECT_MAX_CONCURRENT = key("proxy.connect.maxConcurrent", Type.INTEGER).def(200).range(1, 100_000)
            .doc("connect proxy requests in flight per node; a connection beyond it is refused `unavailable` at once");
    public static final ConfigKey PROXY_CONNECT_BREAKER_FAILURES = key("proxy.connect.breakerFailures", Type.INTEGER).def(5).range(1, 10_000)
            .doc("failures (errors, timeouts, statuses other than 200, 401, 403) within 10 s that open the connect proxy's circuit");
    public static final ConfigKey PROXY_CONNECT_BREAKER_RESET_MS = key("proxy.connect.breakerResetMs", Type.INTEGER).def(10_000).range(50, 3_600_000)
            .doc("how long the open circuit refuses (`unavailable`) before one request tries the backend again (half-open)");
    public static final ConfigKey PROXY_PUBLISH_URL = key("proxy.publish.url", Type.STRING)
            .doc("http(s) URL a client's `publish`/`send` of `proxy.publish.types` is checked by (POST `{\"user\", \"role\", \"type\", \"data\"}`); unset: off");
    public static final ConfigKey PROXY_PUBLISH_TYPES = key("proxy.publish.types", Type.STRING_LIST).def(List.of())
            .doc("event types (or `namespace:*`) whose client publishes go to the publish proxy, after the role's publish list allows them");
    public static final ConfigKey PROXY_PUBLISH_TIMEOUT_MS = key("proxy.publish.timeoutMs", Type.INTEGER).def(3000).range(50, 60_000)
            .doc("a publish proxy request without a complete answer by then fails (`unavailable`)");
    public static final ConfigKey PROXY_PUBLISH_MAX_CONCURRENT = key("proxy.publish.maxConcurrent", Type.INTEGER).def(200).range(1, 100_000)
            .doc("publish proxy requests in flight per node; a publish beyond it is refused `unavailable` at once");
    public static final ConfigKey PROXY_PUBLISH_BREAKER_FAILURES = key("proxy.publish.breakerFailures", Type.INTEGER).def(5).range(1, 10_000)
            .doc("failures (errors, timeouts, statuses other than 200 and 403) within 10 s that open the publish proxy's circuit");
    public static final ConfigKey PROXY_PUBLISH_BREAKER_RESET_MS = key("proxy.publish.breakerResetMs", Type.INTEGER).def(10_000).range(50, 3_600_000)
            .doc("how long the open circuit refuses (`unavailable`) before one request tries the backend again (half-open)");

    static {
        section("inbox", "The per-user inbox of the catalog's `\"inbox\": true` types ([backends.md](backends.md)).");
    }

    public static final ConfigKey INBOX_MAX_PER_USER = key("inbox.maxPerUser", Type.INTEGER).def(100).range(1, 10_000)
            .doc("entries one user's inbox keeps; past that the oldest go first");
    public static final ConfigKey INBOX_MAX_AGE_SECONDS = key("inbox.maxAgeSeconds", Type.INTEGER).def(604_800).range(60, 90 * 86_400)
            .doc("how long an entry waits for its user's acknowledgement before it goes (default 7 days)");
    public static final ConfigKey INBOX_MAX_USERS = key("inbox.maxUsers", Type.INTEGER).def(100_000).range(1, 10_000_000)
            .doc("about how many users' inboxes the cluster keeps; past that the least recently written go whole "
                    + "(approximate in a cluster: per partition)");
    public static final ConfigKey INBOX_REQUESTS_PER_MINUTE = key("inbox.requestsPerMinute", Type.INTEGER).def(60).range(1, 1_000_000)
            .doc("`herald:inbox` and `herald:ack` requests per connection per minute (err `rate_limited`)");

    static {
        section("sources", "Sources from the estate that publish into Herald through the same path as `POST /api/events` "
                + "([kafka.md](kafka.md), [outbox.md](outbox.md)).");
    }

    public static final ConfigKey SOURCES_KAFKA_BOOTSTRAP_SERVERS = key("sources.kafka.bootstrapServers", Type.STRING).def("")
            .doc("Kafka brokers (`host:port,…`) to consume from; empty: the Kafka source is off");
    public static final ConfigKey SOURCES_KAFKA_GROUP_ID = key("sources.kafka.groupId", Type.STRING).def("herald")
            .doc("the consumer group every node joins: the topics' partitions are spread over the nodes and move when one dies");
    public static final ConfigKey SOURCES_KAFKA_TOPICS = key("sources.kafka.topics.<topic>", Type.STRING).defText("none")
            .doc("where a record of the topic gets its event type: `header:<name>` (a record header) or a fixed type such as "
                    + "`order:created` (the record's JSON value is the event's `data`), or `field:<name>` (the value is a body as "
                    + "`POST /api/events` takes it, its type in that field); from the environment as one JSON object");
    public static final ConfigKey SOURCES_KAFKA_PROPERTIES = key("sources.kafka.properties.<name>", Type.SECRET).defText("none")
            .doc("Kafka client properties passed as they are to the consumer and the dead-letter producer (`security.protocol`, "
                    + "`sasl.mechanism`, `sasl.jaas.config`, `ssl.truststore.location`, `session.timeout.ms`, …); never logged; "
                    + "from the environment as one JSON object");

    public static final ConfigKey SOURCES_OUTBOX_JDBC_URL = key("sources.outbox.jdbcUrl", Type.STRING)
            .doc("the database, `jdbc:postgresql://host:5432/db` (driver properties such as `?sslmode=require` in it); empty: off");
    public static final ConfigKey SOURCES_OUTBOX_USER = key("sources.outbox.user", Type.STRING)
            .doc("the database user (SELECT and DELETE on the table, INSERT on its `_dead` table)");
    public static final ConfigKey SOURCES_OUTBOX_PASSWORD = key("sources.outbox.password", Type.SECRET)
            .doc("the database user's password");
    public static final ConfigKey SOURCES_OUTBOX_TABLE = key("sources.outbox.table", Type.STRING).def("herald_outbox")
            .doc("the outbox table (`name` or `schema.name`, lower-case letters, digits, `_`); bad rows go to `<table>_dead`, "
                    + "its insert trigger notifies the channel named as the table");
    public static final ConfigKey SOURCES_OUTBOX_POLL_MS = key("sources.outbox.pollMs", Type.INTEGER).def(1000).range(10, 600_000)
            .doc("how often the table is read when no `NOTIFY` came (the fallback; a commit's notification wakes the node at once)");
    public static final ConfigKey SOURCES_OUTBOX_BATCH = key("sources.outbox.batch", Type.INTEGER).def(500).range(1, 10_000)
            .doc("rows read, published and deleted in one pass");

    private ConfigKeys() {
    }

    private static ConfigKey key(String path, Type type) {
        ConfigKey key = new ConfigKey(path, type);
        ALL.add(key);
        return key;
    }

    private static void section(String name, String doc) {
        SECTIONS.put(name, doc);
    }

    /** Every key, in the order declared (the docs' order). */
    public static List<ConfigKey> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** Section name ("" for the top-level keys) → its one-line doc, in order. */
    public static Map<String, String> sections() {
        return Collections.unmodifiableMap(SECTIONS);
    }

    /** The key with this exact (declared) path, or null. */
    public static ConfigKey byPath(String path) {
        for (ConfigKey key : ALL) {
            if (key.path().equals(path)) {
                return key;
            }
        }
        return null;
    }
}
