package io.herald.http;

import io.herald.bridge.ConnectionPolicy;
import io.herald.bridge.SocketBridge;
import io.herald.bridge.SessionGuard;
import io.herald.bridge.SessionOwners;
import io.herald.bridge.SockJsFallbackSocket;
import io.herald.bridge.WebSocketClientSocket;
import io.herald.bridge.WebSocketCompression;
import io.herald.delivery.Fanout;
import io.herald.delivery.ReplayBudget;
import io.herald.delivery.TypeStream;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.api.AdminAccess;
import io.herald.api.ClientAssets;
import io.herald.api.DevTokenApi;
import io.herald.api.DisconnectApi;
import io.herald.web.HttpResponses;
import io.herald.api.OpsApi;
import io.herald.api.PresenceApi;
import io.herald.api.WebhooksApi;
import io.herald.api.PublishApi;
import io.herald.api.HistoryApi;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.event.EventPublisher;
import io.herald.health.NodeHealth;
import io.herald.history.EventLog;
import io.herald.limits.PublishRateLimit;
import io.herald.web.BrowserOrigins;
import io.herald.web.Origins;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;

import java.util.List;
import java.util.logging.Logger;

/**
 * The node's HTTP face: the SockJS bridge at {@code /eventbus} (its WebSocket transports, raw at
 * {@code /eventbus/websocket} and SockJS-framed, served by Herald itself; the other SockJS transports
 * by vertx-web), the publish API, the ops endpoints and the console. Several instances share the port,
 * one per event loop. Browsers are held to {@code http.allowedOrigins} (WebSocket upgrades, SockJS and API
 * requests, with CORS for the listed origins); with {@code http.tlsCert} the port speaks HTTPS and WSS.
 */
public final class HttpVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());
    public static final String BRIDGE_PATH = "/eventbus";
    /** How often the bridge looks for expired tokens and silent clients. */
    static final long SWEEP_MS = 1000;

    private final HeraldConfig config;
    private final EventCatalog catalog;
    private final EventPublisher publisher;
    private final EventLog log;
    private final List<ConnectionPolicy> policies;
    private final PublishRateLimit publishLimit;
    private final NodeStats stats;
    private final boolean clustered;
    private final NodeHealth health;
    /** Null outside dev mode. */
    private final DevTokenApi devTokens;
    /** Keyed state for {@code GET /api/state/{type}}; null: not mounted. */
    private io.herald.state.StateReader stateReader;
    private io.herald.inbox.InboxReader inboxReader;
    /** The node's bound on replay bytes in memory, shared by its bridges. */
    private final ReplayBudget replayBudget;
    private SocketBridge bridge;
    private HttpServer server;
    /** This loop's /graphql endpoint: its cached encoded buffers are released at stop. */
    private io.herald.graphql.GraphQLEndpoint graphql;

    public HttpVerticle(HeraldConfig config, EventCatalog catalog, EventPublisher publisher, EventLog log,
                        List<ConnectionPolicy> policies, PublishRateLimit publishLimit, NodeStats stats, boolean clustered,
                        NodeHealth health, DevTokenApi devTokens) {
        this(config, catalog, publisher, log, policies, publishLimit, stats, clustered, health, devTokens,
                new ReplayBudget(config.delivery().maxReplayBytesInFlight()));
    }

    public HttpVerticle(HeraldConfig config, EventCatalog catalog, EventPublisher publisher, EventLog log,
                        List<ConnectionPolicy> policies, PublishRateLimit publishLimit, NodeStats stats, boolean clustered,
                        NodeHealth health, DevTokenApi devTokens, ReplayBudget replayBudget) {
        this.config = config;
        this.catalog = catalog;
        this.publisher = publisher;
        this.log = log;
        this.policies = policies;
        this.publishLimit = publishLimit;
        this.stats = stats;
        this.clustered = clustered;
        this.health = health;
        this.devTokens = devTokens;
        this.replayBudget = replayBudget;
    }

    /** Mounts {@code GET /api/state/{type}} on this reader (docs/state.md); set before the verticle is deployed. */
    public HttpVerticle stateReader(io.herald.state.StateReader reader) {
        this.stateReader = reader;
        return this;
    }

    /** Mounts {@code GET /api/inbox/{userId}} on this reader (docs/backends.md); set before the verticle is deployed. */
    public HttpVerticle inboxReader(io.herald.inbox.InboxReader reader) {
        this.inboxReader = reader;
        return this;
    }

    @Override
    public Future<?> start() {
        // the /graphql schema (docs/graphql.md) is built off the event loop: graphql-java's first use loads many classes
        return vertx.executeBlocking(() -> new io.herald.graphql.EventSchema(catalog)).compose(this::start);
    }

    private Future<?> start(io.herald.graphql.EventSchema graphqlSchema) {
        Fanout fanout = new Fanout(context, catalog, log, stats,
                new TypeStream.DeliveryOptions(config.delivery().holdMs(), config.delivery().tailCheckMs(), config.delivery().lingerMs(),
                        config.delivery().maxRecoveryEvents(), TypeStream.DeliveryOptions.replayPageBytes(config.bridge().maxOutboundBytes()),
                        replayBudget, config.delivery().stallMs()), config.bridge().writeDelayMs());
        bridge = new SocketBridge(vertx.eventBus(), catalog, publisher, stats, config.bridge(), config.auth().leewaySeconds(), fanout, policies,
                () -> health.isClosing() ? CloseReason.SHUTDOWN : health.inMinority() ? CloseReason.UNAVAILABLE : null);
        SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
                .setHeartbeatInterval(config.bridge().pingIntervalSeconds() * 1000L)
                .setInsertJSESSIONID(false)
                .setRegisterWriteHandler(false)
                .setLocalWriteHandler(false);

        Origins origins;
        try {
            origins = new Origins(config.http().allowedOrigins());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        Router router = Router.router(vertx);
        // browsers first: a foreign Origin is refused before SockJS or an API sees the request; listed ones get CORS
        BrowserOrigins browsers = new BrowserOrigins(origins, stats);
        router.route(BRIDGE_PATH + "/*").handler(browsers);
        router.route("/api/*").handler(browsers);
        // the largest message a client may send, on any transport (SocketBridge.TRANSPORT_LIMIT_FACTOR × bridge.maxFrameBytes)
        int messageLimit = SocketBridge.TRANSPORT_LIMIT_FACTOR * config.bridge().maxFrameBytes();
        // WebSocket transports are served by webSocketHandler below; these are the others (xhr, eventsource, …)
        // whose client frames come in xhr_send POSTs: vertx-web's SockJS answers those with 500 unless a
        // BodyHandler read the body first (bounded like a WebSocket message, never written to disk)
        router.route(BRIDGE_PATH + "/*").handler(BodyHandler.create(false).setBodyLimit(messageLimit));
        // vertx-web closes the connection after each response of these transports without saying so; a keep-alive
        // client (Node's default agent, a proxy) would send its next request on it and get a reset. No capture
        // group: vertx-web reads the session id as param0.
        // a fallback session belongs to the token that opened it; jsonp and htmlfile only with bridge.legacyTransports
        SessionOwners owners = SessionOwners.of(vertx, 2 * config.limits().connectionsPerNode());
        router.route(BRIDGE_PATH + "/*").handler(new SessionGuard(BRIDGE_PATH, owners, config.bridge().legacyTransports(), stats));
        if (!config.bridge().legacyTransports()) {
            sockJs.addDisabledTransport(Transport.JSON_P.toString()).addDisabledTransport(Transport.HTML_FILE.toString());
        }
        router.routeWithRegex(BRIDGE_PATH + "/[^/.]+/[^/.]+/(?:xhr|xhr_streaming|eventsource|htmlfile|jsonp)")
                .handler(ctx -> { ctx.response().putHeader(HttpHeaders.CONNECTION, "close"); ctx.next(); });
        if (config.proxy().connect() != null) {
            // the connect proxy is given the connection's cookies: vertx-web's SockJS sockets drop them, so keep them first
            router.route(BRIDGE_PATH + "/*").handler(new io.herald.bridge.CapturedHeaders(config.proxy().connectHeaders()));
        }
        router.route(BRIDGE_PATH + "/*").subRouter(SockJSHandler.create(vertx, sockJs)
                .socketHandler(socket -> {
                    // the path as the guard and vertx-web read it (normalized), from the request that created the session
                    String[] session = SessionOwners.sessionAndTransport(BRIDGE_PATH,
                            socket.routingContext() != null ? socket.routingContext().normalizedPath() : socket.uri());
                    if (session != null) {
                        owners.opened(session[0]);
                        socket.endHandler(v -> owners.closed(session[0]));
                    }
                    bridge.handle(new SockJsFallbackSocket(socket, config.bridge().maxOutboundBytes()));
                }));
        AdminAccess admin = new AdminAccess(vertx.eventBus(), config.apiKey(), stats);
        new PublishApi(publisher, publishLimit, stats, admin, config.apiKey(), config.http().maxBodyBytes(), config.http().maxBatchSize()).mount(router);
        new HistoryApi(log, catalog, stats, admin).mount(router);
        if (stateReader != null) {
            new io.herald.api.StateApi(stateReader, stats, admin).mount(router);
        }
        if (inboxReader != null) {
            new io.herald.api.InboxApi(inboxReader, stats, admin).mount(router);
        }
        new PresenceApi(vertx.eventBus(), stats, admin).mount(router);
        new WebhooksApi(vertx.eventBus(), stats, admin).mount(router);
        new DisconnectApi(vertx.eventBus(), stats, admin, config.http().maxBodyBytes(), config.http().maxBatchSize()).mount(router);
        if (devTokens != null) {
            devTokens.mount(router);
        }
        new OpsApi(vertx.eventBus(), stats, catalog, clustered, health, admin)
                .mount(router);
        new ClientAssets(catalog).mount(router);
        router.get("/*").handler(StaticHandler.create("console").setCachingEnabled(false));
        router.route().last().handler(ctx -> HttpResponses.error(ctx, ErrorCode.NOT_FOUND, "no such endpoint", null));
        // what no handler answered (a path or query vertx-web cannot decode, …): JSON in the one vocabulary, no stack trace
        router.errorHandler(400, ctx -> HttpResponses.error(ctx, ErrorCode.INVALID_PARAMETER, "the request could not be read", null));
        router.errorHandler(500, ctx -> HttpResponses.error(ctx, ErrorCode.INTERNAL_ERROR, "internal error", null));

        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                // messages between maxFrameBytes and the message limit get a frame_too_large err, larger ones the 1009
                // close; the codec cuts a single frame past the frame limit without a close frame, so that limit is higher
                .setMaxWebSocketFrameSize(2 * messageLimit)
                .setMaxWebSocketMessageSize(messageLimit)
                // permessage-deflate: events are compressed once for all sockets that negotiated it, the extension
                // negotiated by WebSocketCompression (no context either way, inflation capped; see prepare below)
                .setPerMessageWebSocketCompressionSupported(config.bridge().compression())
                .setWebSocketAllowServerNoContext(true)
                .setWebSocketPreferredClientNoContext(true)
                .setPerFrameWebSocketCompressionSupported(false);
        // /graphql (docs/graphql.md): graphql-transport-ws sockets, admitted and served by this loop's bridge
        graphql = new io.herald.graphql.GraphQLEndpoint(context, bridge,
                graphqlSchema, config.bridge().maxOutboundBytes(), config.bridge().maxSubscriptionsPerSocket(),
                config.limits().graphqlWaitingInitPerLoop());
        options.setWebSocketSubProtocols(List.of(io.herald.graphql.GraphQLEndpoint.PROTOCOL));
        // No strict thread mode (it saved 4.5 KB heap per idle connection): a SockJS fallback session writes from the
        // event loop that created it, and the session's next request (a new xhr-streaming or polling connection) may
        // be on another HTTP instance's loop; strict mode then threw "Only the context thread can write a message",
        // the frame never left and the session was cut (ReplayAttackIT over xhr-streaming, heartbeats on xhr polling).
        long pingEvery = config.bridge().pingIntervalSeconds() * 1000L;
        long[] lastPing = {System.currentTimeMillis()};
        vertx.setPeriodic(SWEEP_MS, id -> {
            long now = System.currentTimeMillis();
            boolean ping = now - lastPing[0] >= pingEvery;
            if (ping) {
                lastPing[0] = now;
            }
            if (health.inMinority() && !bridge.isEmpty()) {
                LOG.warning("no majority of the cluster in view: closing every connection with unavailable (clients move to other nodes)");
                bridge.closeAll(CloseReason.UNAVAILABLE, "this node is cut off from most of its cluster; connect to another one");
            }
            bridge.sweep(now, ping);
            owners.sweep(false);
        });
        return Tls.configure(vertx, config.http(), options).compose(serverOptions -> vertx.createHttpServer(serverOptions)
                // permessage-deflate negotiated by Herald: no context either way, what clients send inflated within the cap
                .connectionHandler(connection -> WebSocketCompression.prepare(connection, config.bridge().compressionMinBytes(),
                        config.bridge().maxFrameBytes(), config.bridge().inflateBudgetBytes(), stats::closed))
                .webSocketHandshakeHandler(handshake -> {
                    if (webSocketFraming(handshake.path()) == null && !io.herald.graphql.GraphQLEndpoint.serves(handshake.path())) {
                        handshake.reject(404);
                    } else if (!allowedOrigin(origins, handshake)) {
                        // cross-site WebSocket hijacking: a page of another site opening a socket in its visitor's browser
                        stats.refused(ErrorCode.ACCESS_DENIED);
                        handshake.reject(403);
                    } else {
                        handshake.accept();
                    }
                })
                .webSocketHandler(ws -> {
                    if (io.herald.graphql.GraphQLEndpoint.serves(ws.path())) {
                        graphql.handle(ws);
                        return;
                    }
                    bridge.handle(new WebSocketClientSocket(ws, webSocketFraming(ws.path()) == Framing.SOCKJS,
                        config.bridge().maxOutboundBytes(), config.bridge().writeDelayMs() > 0,
                        config.bridge().compression() ? config.bridge().compressionMinBytes() : -1));
                })
                .invalidRequestHandler(HttpVerticle::invalidRequest)
                .requestHandler(router)
                // listen(port) alone would bind every interface (0.0.0.0), whatever the options' host says
                .listen(config.http().port(), config.http().host()))
                .onSuccess(s -> server = s);
    }

    private static boolean allowedOrigin(Origins origins, ServerWebSocketHandshake handshake) {
        HostAndPort authority = handshake.authority();
        return origins.allows(handshake.headers().get(HttpHeaders.ORIGIN), handshake.scheme(),
                authority == null ? null : authority.host(), authority == null ? -1 : authority.port());
    }

    enum Framing { RAW, SOCKJS }

    /** {@code /eventbus/websocket} is raw; {@code /eventbus/<server>/<session>/websocket} is SockJS; else null. */
    static Framing webSocketFraming(String path) {
        String rawPath = BRIDGE_PATH + "/websocket";
        if (path.equals(rawPath) || path.equals(rawPath + "/")) {
            return Framing.RAW;
        }
        if (!path.startsWith(BRIDGE_PATH + "/") || !path.endsWith("/websocket")) {
            return null;
        }
        String[] ids = path.substring(BRIDGE_PATH.length() + 1, path.length() - "/websocket".length()).split("/", -1);
        boolean valid = ids.length == 2 && !ids[0].isEmpty() && !ids[1].isEmpty() && !ids[0].contains(".") && !ids[1].contains(".");
        return valid ? Framing.SOCKJS : null;
    }

    /** A request the HTTP codec could not read (a request line or headers over its limits, …): JSON in the vocabulary, then close. */
    private static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        request.response().setStatusCode(ErrorCode.INVALID_PARAMETER.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(new JsonObject().put("error", ErrorCode.INVALID_PARAMETER.id())
                        .put("message", "the request could not be read" + (cause == null ? "" : ": " + cause.getMessage())).encode());
    }

    /** The port actually bound (the configured one, or the OS's pick for port 0). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        health.closing();
        bridge.closeAll(CloseReason.SHUTDOWN, "Herald node shutting down");
        if (graphql != null) {
            graphql.close();
        }
        return server == null ? Future.succeededFuture() : server.close();
    }
}
