package io.herald.config;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.herald.config.ConfigKeys.*;

/**
 * The node's whole configuration: {@code conf/herald.json} with the {@code HERALD_*} environment overrides applied,
 * validated once at start. Each key (path, type, default, range, environment names, doc) is declared once, in
 * {@link ConfigKeys}; this class reads each in one place, {@link #fromJson}, into the records the node uses.
 */
public record HeraldConfig(
        Mode mode,
        Http http,
        Cluster cluster,
        Auth auth,
        String apiKey,
        int idempotencyWindowSeconds,
        int idempotencyMaxKeys,
        ConfigFile catalogFile,
        ConfigFile rolesFile,
        ConfigFile roomsFile,
        Bridge bridge,
        Limits limits,
        History history,
        Delivery delivery,
        Presence presence,
        long statsIntervalMs,
        Demo demo,
        Log log,
        List<Webhook> webhooks,
        Proxies proxy,
        Inbox inbox,
        Kafka kafka,
        Outbox outbox) {

    public enum Mode { DEV, PROD }

    /**
     * {@code sources.kafka.*}: {@code bootstrapServers} empty = off; {@code topics} topic → where a record's type comes from
     * ({@code header:<name>}, {@code field:<name>} or a fixed event type, checked against the catalog by the node);
     * {@code properties} extra client properties (security), never printed.
     */
    public record Kafka(String bootstrapServers, String groupId, Map<String, String> topics, Map<String, String> properties) {
        public boolean enabled() {
            return !bootstrapServers.isBlank();
        }

        @Override
        public String toString() {
            return "Kafka[bootstrapServers=" + bootstrapServers + ", groupId=" + groupId + ", topics=" + topics
                    + ", properties=" + properties.keySet() + "]";
        }
    }

    /** {@code http.*} ({@link ConfigKeys#HTTP_PORT} …); {@code instances} is the resolved count (never 0). */
    public record Http(String host, int port, int instances, int maxBodyBytes, int maxBatchSize, List<String> allowedOrigins,
                       Path tlsCert, Path tlsKey) {
        public boolean tls() {
            return tlsCert != null;
        }
    }

    /**
     * {@code host} and {@code port}: where this node's event bus takes the other nodes' connections (port 0: any free one).
     * {@code minMembers}: below this many members the node is cut off from most of its cluster: not ready, no history
     * appends or reads (split-brain protection), its clients sent to other nodes. 0 (the default): a majority of the
     * voting members (see {@code ClusterQuorum}).
     * {@code wireVersion}: the newest wire version this node reads and writes (default the release's); 1 forces the
     * previous release's formats, for upgrades and the mixed-version test (see docs/cluster.md).
     * {@code routeCheckMs}: how often the event bus's view of each address's nodes is checked against the cluster's table.
     */
    public record Cluster(boolean enabled, ConfigFile configFile, String host, int port, int minMembers, ClusterTls tls, int wireVersion,
                          long routeCheckMs) {
    }

    /** {@code cluster.tls.*}: mutual TLS on the event bus between nodes, off when no identity is set. */
    public record ClusterTls(Path certPath, Path keyPath, Path trustPath, Path keyStore, String keyStorePassword,
                             Path trustStore, String trustStorePassword) {
        public boolean enabled() {
            return certPath != null || keyStore != null;
        }
    }

    /** {@code auth.*}. */
    public record Auth(String jwtSecret, String jwtPublicKey, boolean allowAnonymous, boolean requireExpiry,
                       int leewaySeconds, String audience, String issuer, int maxTokenLifetimeSeconds,
                       String previousJwtSecret, long previousJwtSecretUntil, Jwks jwks, Claims claims) {
        public static final int DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = AUTH_MAX_TOKEN_LIFETIME_SECONDS.defaultInt();

        public Auth(String jwtSecret, String jwtPublicKey, boolean allowAnonymous, boolean requireExpiry,
                    int leewaySeconds, String audience, String issuer) {
            this(jwtSecret, jwtPublicKey, allowAnonymous, requireExpiry, leewaySeconds, audience, issuer, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
        }

        public Auth(String jwtSecret, String jwtPublicKey, boolean allowAnonymous, boolean requireExpiry,
                    int leewaySeconds, String audience, String issuer, int maxTokenLifetimeSeconds) {
            this(jwtSecret, jwtPublicKey, allowAnonymous, requireExpiry, leewaySeconds, audience, issuer, maxTokenLifetimeSeconds,
                    null, 0, null, Claims.DEFAULT);
        }

        /** The same with another key set, claim mapping or previous secret (tests). */
        public Auth with(String previousJwtSecret, long previousJwtSecretUntil, Jwks jwks, Claims claims) {
            return new Auth(jwtSecret, jwtPublicKey, allowAnonymous, requireExpiry, leewaySeconds, audience, issuer, maxTokenLifetimeSeconds,
                    previousJwtSecret, previousJwtSecretUntil, jwks, claims);
        }
    }

    /** {@code auth.jwks*}: the identity provider's key set; null when {@code auth.jwksUrl} is not set. */
    public record Jwks(String url, int minRefetchSeconds, int minRefreshSeconds, int maxRefreshSeconds) {
    }

    /**
     * {@code auth.claims.*}: where a token's user, role and store are; {@code roleMap} (identity-provider role → Herald
     * role) empty means the token's names are Herald's.
     */
    public record Claims(String user, String role, Map<String, String> roleMap, String storeId) {
        public static final Claims DEFAULT = new Claims("sub", "role", Map.of(), "storeId");
    }

    /** {@code bridge.*}: what one bridge connection may send and hold. */
    public record Bridge(int maxFrameBytes, int maxSubscriptionsPerSocket, int maxAddressLength,
                         int maxPendingReplies, int maxOutboundBytes, int idleTimeoutSeconds, int pingIntervalSeconds,
                         boolean legacyTransports, int writeDelayMs, boolean compression, int compressionMinBytes,
                         int inflateBudgetBytes) {
    }

    /** {@code limits.*}: rates and caps against floods. */
    public record Limits(int framesPerMinute, int framesBurst, Map<String, Integer> framesPerMinuteByRole,
                         Map<String, Integer> framesPerMinuteByKind, int floodCloseAfter, int connectionsPerIp,
                         int connectionsPerNode, int connectAttemptsPerIpPerSecond, int publishEventsPerSecond,
                         int presenceQueriesPerMinute, int userPublishesPerMinute, int signalsPerSecond,
                         int stateQueriesPerMinute, int graphqlWaitingInitPerLoop) {
    }

    /** {@code demo.*}. */
    public record Demo(boolean enabled, long intervalMs) {
    }

    /**
     * {@code sources.outbox.*} (docs/outbox.md): {@code jdbcUrl} null or empty is off.
     */
    public record Outbox(String jdbcUrl, String user, String password, String table, int pollMs, int batch) {
        public boolean enabled() {
            return jdbcUrl != null && !jdbcUrl.isBlank();
        }

        /** The table of bad rows: {@code <table>_dead}. */
        public String deadTable() {
            return table + "_dead";
        }

    }

    /** {@code log.level} as a JUL level; {@code json}: {@code log.format} is {@code json}. */
    public record Log(java.util.logging.Level level, boolean json) {
    }

    /** How much of one event type's stream history keeps: at most {@code maxEvents}, none older than {@code maxAgeSeconds} (0: no age limit). */
    public record HistoryBounds(int maxEvents, int maxAgeSeconds) {
    }

    /** History bounds: the default, and per namespace where {@code history.namespaces} names one. */
    public record History(HistoryBounds defaults, Map<String, HistoryBounds> byNamespace) {
        public HistoryBounds forNamespace(String namespace) {
            return byNamespace.getOrDefault(namespace, defaults);
        }
    }

    /** {@code delivery.*}. */
    public record Delivery(int holdMs, int tailCheckMs, int lingerMs, int maxRecoveryEvents, long maxReplayBytesInFlight, int stallMs) {
    }

    /** {@code presence.*}; {@code announceFile}: which roles' first and last connections announce which events. */
    public record Presence(boolean enabled, int flushMs, ConfigFile announceFile) {
    }

    /**
     * One of {@code webhooks}: events of {@code types} (event types or {@code namespace:*}) POSTed to {@code url},
     * signed with {@code secret}; each request given up after {@code timeoutMs}. Its text never shows the secret.
     */
    public record Webhook(String id, String url, List<String> types, String secret, int timeoutMs) {
        public static final int DEFAULT_TIMEOUT_MS = 10_000;

        @Override
        public String toString() {
            return "Webhook[id=" + id + ", url=" + url + ", types=" + types + ", timeoutMs=" + timeoutMs + "]";
        }
    }

    /**
     * One proxy to the backend ({@code proxy.connect.*} or {@code proxy.publish.*}): requests POSTed to {@code url}, each
     * given up after {@code timeoutMs}, at most {@code maxConcurrent} in flight per node, a circuit opened by
     * {@code breakerFailures} failures within 10 s and half-opened after {@code breakerResetMs}.
     */
    public record BackendProxy(String url, int timeoutMs, int maxConcurrent, int breakerFailures, int breakerResetMs) {
    }

    /**
     * {@code proxy.*}: {@code connect} (null: off) with the request headers it is given, {@code publish} (null: off) with
     * the type patterns it checks (event types or {@code namespace:*}, resolved against the catalog by the node).
     */
    public record Proxies(BackendProxy connect, List<String> connectHeaders, BackendProxy publish, List<String> publishTypes) {
        public static final Proxies OFF = new Proxies(null, List.of(), null, List.of());
    }

    /** {@code inbox.*}: what the per-user inbox keeps, and how often a connection may ask it. */
    public record Inbox(int maxPerUser, int maxAgeSeconds, int maxUsers, int requestsPerMinute) {
    }

    /** The development values shipped in conf/herald.json; prod mode refuses them. */
    public static final String DEV_JWT_SECRET = "herald-dev-secret-do-not-use-in-production";
    public static final String DEV_API_KEY = "herald-dev-api-key";
    public static final int MIN_SECRET_BYTES = 32;
    /** prod mode refuses a shorter publish API key (a guessable key publishes anything, as anyone). */
    public static final int MIN_API_KEY_CHARS = 32;

    // The environment names the code and the tests use, as ConfigKeys declares them.
    public static final String ENV_CONF = ConfigKeys.ENV_CONF;
    public static final String ENV_HTTP_PORT = HTTP_PORT.envNames().get(0);
    public static final String ENV_JWT_SECRET = AUTH_JWT_SECRET.envNames().get(0);
    public static final String ENV_API_KEY = API_KEY.envNames().get(0);
    public static final String ENV_CLUSTER = CLUSTER_ENABLED.envNames().get(0);
    public static final String ENV_CLUSTER_CONFIG = CLUSTER_CONFIG_FILE.envNames().get(0);
    public static final String ENV_MODE = MODE.envNames().get(0);
    public static final String ENV_DEMO = DEMO_ENABLED.envNames().get(0);
    public static final String ENV_ALLOWED_ORIGINS = HTTP_ALLOWED_ORIGINS.envNames().get(0);
    public static final String ENV_TLS_CERT = HTTP_TLS_CERT.envNames().get(0);
    public static final String ENV_TLS_KEY = HTTP_TLS_KEY.envNames().get(0);
    public static final String ENV_HISTORY_MAX_EVENTS = HISTORY_MAX_EVENTS.envNames().get(0);
    public static final String ENV_HISTORY_MAX_AGE_SECONDS = HISTORY_MAX_AGE_SECONDS.envNames().get(0);

    public static final String DEFAULT_CONF = ConfigKeys.DEFAULT_CONF;

    /**
     * Reads the file named by HERALD_CONF, else conf/herald.json in the working directory, else the built-in
     * one (the jar then runs on its shipped configuration from any directory), and applies the environment.
     */
    public static HeraldConfig load(Map<String, String> env) {
        Path file = Path.of(env.getOrDefault(ENV_CONF, DEFAULT_CONF));
        if (!env.containsKey(ENV_CONF) && !Files.exists(file)) {
            return fromJson(ConfigFile.builtIn("herald.json").readJson(ENV_CONF), null, env);
        }
        return fromJson(readJson(file, ENV_CONF), file.toAbsolutePath().getParent(), env);
    }

    public static JsonObject readJson(Path file, String key) {
        return ConfigFile.of(file).readJson(key);
    }

    /**
     * A file herald.json names (or its default name): in {@code baseDir}, herald.json's folder; when herald.json
     * is the built-in one ({@code baseDir} null), the built-in file of that name; a default name the folder does
     * not have is the built-in file too. A file named explicitly must exist. A file named in the environment is
     * that path, relative to the working directory.
     */
    private static ConfigFile file(ConfigReader r, ConfigKey key, Path baseDir) {
        String named = r.string(key, null);
        String defaultName = (String) key.defaultValue();
        if (named != null && r.fromEnvironment(key.path())) {
            return ConfigFile.of(Path.of(named));
        }
        if (baseDir == null) {
            return ConfigFile.builtIn(Path.of(named != null ? named : defaultName).getFileName().toString());
        }
        Path path = baseDir.resolve(named != null ? named : defaultName).normalize();
        return named == null && !Files.exists(path) ? ConfigFile.builtIn(Path.of(defaultName).getFileName().toString()) : ConfigFile.of(path);
    }

    /**
     * Builds the config from the JSON of herald.json; relative paths in it resolve against {@code baseDir}
     * (the file's folder), relative paths in the environment against the working directory. A key no
     * {@link ConfigKeys} entry declares, in the file or as a {@code HERALD_*} variable, is an error naming the nearest
     * declared one.
     */
    public static HeraldConfig fromJson(JsonObject json, Path baseDir, Map<String, String> env) {
        ConfigSchema.checkFile(json);
        ConfigSchema.checkEnv(env);
        ConfigReader r = new ConfigReader(json, env);
        Mode mode = Mode.valueOf(r.choice(MODE).toUpperCase(Locale.ROOT));

        String tlsCert = r.string(HTTP_TLS_CERT);
        String tlsKey = r.string(HTTP_TLS_KEY);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ConfigException(tlsCert == null ? "http.tlsCert (" + ENV_TLS_CERT + ")" : "http.tlsKey (" + ENV_TLS_KEY + ")",
                    "TLS needs both a certificate and a key (PEM files)");
        }
        int httpInstances = r.integer(HTTP_INSTANCES);
        Http http = new Http(
                // dev mode is for one machine: it listens on loopback unless told otherwise
                r.string(HTTP_HOST, mode == Mode.DEV ? "127.0.0.1" : "0.0.0.0"),
                r.integer(HTTP_PORT),
                httpInstances == 0 ? Runtime.getRuntime().availableProcessors() : httpInstances,
                r.integer(HTTP_MAX_BODY_BYTES),
                r.integer(HTTP_MAX_BATCH_SIZE),
                r.stringList(HTTP_ALLOWED_ORIGINS),
                tlsCert == null ? null : Path.of(tlsCert),
                tlsKey == null ? null : Path.of(tlsKey));

        Cluster cluster = new Cluster(
                r.bool(CLUSTER_ENABLED),
                file(r, CLUSTER_CONFIG_FILE, baseDir),
                r.string(CLUSTER_HOST),
                r.integer(CLUSTER_PORT),
                r.integer(CLUSTER_MIN_MEMBERS),
                clusterTls(r),
                r.integer(CLUSTER_WIRE_VERSION),
                r.integer(CLUSTER_ROUTE_CHECK_MS));

        Auth auth = new Auth(
                // an empty secret is no secret (HERALD_JWT_SECRET= turns HS256 off beside an identity provider), never an empty HMAC key
                blankToNull(r.string(AUTH_JWT_SECRET)),
                r.string(AUTH_JWT_PUBLIC_KEY),
                r.bool(AUTH_ALLOW_ANONYMOUS),
                r.bool(AUTH_REQUIRE_EXPIRY),
                r.integer(AUTH_LEEWAY_SECONDS),
                r.string(AUTH_AUDIENCE),
                r.string(AUTH_ISSUER),
                r.integer(AUTH_MAX_TOKEN_LIFETIME_SECONDS),
                blankToNull(r.string(AUTH_PREVIOUS_JWT_SECRET)),
                r.integer(AUTH_PREVIOUS_JWT_SECRET_UNTIL),
                jwks(r),
                new Claims(claimPath(r, AUTH_CLAIMS_USER), claimPath(r, AUTH_CLAIMS_ROLE), r.stringMap(AUTH_CLAIMS_ROLE_MAP),
                        claimPath(r, AUTH_CLAIMS_STORE_ID)));
        if (auth.jwtSecret() == null && auth.jwtPublicKey() == null && auth.jwks() == null) {
            throw new ConfigException("auth.jwtSecret", "set a JWT secret (or auth.jwtPublicKey for RS256, or auth.jwksUrl)");
        }
        if (auth.jwtPublicKey() != null && auth.jwks() != null) {
            throw new ConfigException(r.where(AUTH_JWKS_URL), "set either auth.jwtPublicKey (one key) or auth.jwksUrl (the provider's key set), not both");
        }
        if (auth.previousJwtSecret() != null) {
            if (auth.jwtSecret() == null) {
                throw new ConfigException(r.where(AUTH_PREVIOUS_JWT_SECRET), "a previous secret is rotated out in favour of auth.jwtSecret: set that too");
            }
            if (auth.previousJwtSecretUntil() <= 0) {
                throw new ConfigException(r.where(AUTH_PREVIOUS_JWT_SECRET_UNTIL),
                        "set until when (unix seconds) tokens signed with auth.previousJwtSecret are accepted");
            }
        }
        String apiKey = r.string(API_KEY);
        if (apiKey == null || apiKey.isBlank()) {
            throw new ConfigException("api.key", "set the publish API key (HERALD_API_KEY)");
        }

        Bridge bridge = new Bridge(
                r.integer(BRIDGE_MAX_FRAME_BYTES),
                r.integer(BRIDGE_MAX_SUBSCRIPTIONS_PER_SOCKET),
                r.integer(BRIDGE_MAX_ADDRESS_LENGTH),
                r.integer(BRIDGE_MAX_PENDING_REPLIES),
                r.integer(BRIDGE_MAX_OUTBOUND_BYTES),
                r.integer(BRIDGE_IDLE_TIMEOUT_SECONDS),
                r.integer(BRIDGE_PING_INTERVAL_SECONDS),
                r.bool(BRIDGE_LEGACY_TRANSPORTS),
                r.integer(BRIDGE_WRITE_DELAY_MS),
                r.bool(BRIDGE_COMPRESSION),
                r.integer(BRIDGE_COMPRESSION_MIN_BYTES),
                r.integer(BRIDGE_INFLATE_BUDGET_BYTES));

        int framesPerMinute = r.integer(LIMITS_FRAMES_PER_MINUTE);
        Limits limits = new Limits(
                framesPerMinute,
                r.integer(LIMITS_FRAMES_BURST, framesPerMinute),
                r.integerMap(LIMITS_FRAMES_PER_MINUTE_BY_ROLE),
                r.integerMap(LIMITS_FRAMES_PER_MINUTE_BY_KIND),
                r.integer(LIMITS_FLOOD_CLOSE_AFTER),
                r.integer(LIMITS_CONNECTIONS_PER_IP),
                r.integer(LIMITS_CONNECTIONS_PER_NODE),
                r.integer(LIMITS_CONNECT_ATTEMPTS_PER_IP_PER_SECOND),
                r.integer(LIMITS_PUBLISH_EVENTS_PER_SECOND),
                r.integer(LIMITS_PRESENCE_QUERIES_PER_MINUTE),
                r.integer(LIMITS_USER_PUBLISHES_PER_MINUTE),
                r.integer(LIMITS_SIGNALS_PER_SECOND),
                r.integer(LIMITS_STATE_QUERIES_PER_MINUTE),
                r.integer(LIMITS_GRAPHQL_WAITING_INIT_PER_LOOP));

        Demo demo = new Demo(
                r.bool(DEMO_ENABLED, mode == Mode.DEV),
                r.integer(DEMO_INTERVAL_MS));

        HistoryBounds historyDefaults = new HistoryBounds(r.integer(HISTORY_MAX_EVENTS), r.integer(HISTORY_MAX_AGE_SECONDS));
        Map<String, HistoryBounds> byNamespace = new LinkedHashMap<>();
        for (String namespace : r.names(HISTORY_NAMESPACE_MAX_EVENTS)) {
            r.object(HISTORY_NAMESPACE_MAX_EVENTS.mapPath() + "." + namespace);
            byNamespace.put(namespace, new HistoryBounds(
                    r.integer(HISTORY_NAMESPACE_MAX_EVENTS, namespace, historyDefaults.maxEvents()),
                    r.integer(HISTORY_NAMESPACE_MAX_AGE_SECONDS, namespace, historyDefaults.maxAgeSeconds())));
        }
        Delivery delivery = new Delivery(
                r.integer(DELIVERY_HOLD_MS),
                r.integer(DELIVERY_TAIL_CHECK_MS),
                r.integer(DELIVERY_LINGER_MS),
                r.integer(DELIVERY_MAX_RECOVERY_EVENTS),
                r.integer(DELIVERY_MAX_REPLAY_BYTES_IN_FLIGHT),
                r.integer(DELIVERY_STALL_MS));
        Presence presence = new Presence(
                r.bool(PRESENCE_ENABLED),
                r.integer(PRESENCE_FLUSH_MS),
                file(r, PRESENCE_ANNOUNCE_FILE, baseDir));

        HeraldConfig config = new HeraldConfig(mode, http, cluster, auth, apiKey, r.integer(API_IDEMPOTENCY_WINDOW_SECONDS), r.integer(API_IDEMPOTENCY_MAX_KEYS),
                file(r, CATALOG, baseDir),
                file(r, ROLES, baseDir),
                file(r, ROOMS, baseDir),
                bridge,
                limits,
                new History(historyDefaults, Map.copyOf(byNamespace)),
                delivery,
                presence,
                r.integer(STATS_INTERVAL_MS),
                demo,
                new Log(switch (r.choice(LOG_LEVEL)) {
                    case "error" -> java.util.logging.Level.SEVERE;
                    case "warn" -> java.util.logging.Level.WARNING;
                    case "debug" -> java.util.logging.Level.FINE;
                    default -> java.util.logging.Level.INFO;
                }, r.choice(LOG_FORMAT).equals("json")),
                webhooks(r, mode),
                proxies(r),
                new Inbox(r.integer(INBOX_MAX_PER_USER), r.integer(INBOX_MAX_AGE_SECONDS), r.integer(INBOX_MAX_USERS),
                        r.integer(INBOX_REQUESTS_PER_MINUTE)),
                kafka(r),
                outbox(r));
        if (mode == Mode.PROD) {
            config.checkProductionSafe();
        }
        return config;
    }

    /** {@code sources.kafka.*}: each topic's rule is {@code header:<name>}, {@code field:<name>} or an event type's name. */
    private static Kafka kafka(ConfigReader r) {
        Map<String, String> topics = r.textMap(SOURCES_KAFKA_TOPICS);
        for (Map.Entry<String, String> topic : topics.entrySet()) {
            String rule = topic.getValue().trim();
            String where = SOURCES_KAFKA_TOPICS.mapPath() + "." + topic.getKey();
            if (topic.getKey().isBlank()) {
                throw new ConfigException(where, "a topic needs a name");
            }
            if ((rule.startsWith("header:") || rule.startsWith("field:")) ? rule.endsWith(":") : !rule.contains(":")) {
                throw new ConfigException(where, "'" + rule + "' is not \"header:<name>\", \"field:<name>\" or an event type such as \"order:created\"");
            }
        }
        String groupId = r.string(SOURCES_KAFKA_GROUP_ID);
        if (groupId.isBlank()) {
            throw new ConfigException(r.where(SOURCES_KAFKA_GROUP_ID), "must not be empty");
        }
        return new Kafka(r.string(SOURCES_KAFKA_BOOTSTRAP_SERVERS).trim(), groupId.trim(), topics, r.textMap(SOURCES_KAFKA_PROPERTIES));
    }

    /** {@code sources.outbox.*}: the table a plain or schema-qualified lower-case identifier (it is put into SQL). */
    private static Outbox outbox(ConfigReader r) {
        String table = r.string(SOURCES_OUTBOX_TABLE);
        if (!table.matches("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,57}")) {
            throw new ConfigException(SOURCES_OUTBOX_TABLE.path(), "must be a lower-case SQL name (letters, digits, _), optionally schema.name");
        }
        String url = r.string(SOURCES_OUTBOX_JDBC_URL);
        if (url != null && !url.isBlank() && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(SOURCES_OUTBOX_JDBC_URL.path(), "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db)");
        }
        return new Outbox(url, r.string(SOURCES_OUTBOX_USER), r.string(SOURCES_OUTBOX_PASSWORD), table,
                r.integer(SOURCES_OUTBOX_POLL_MS), r.integer(SOURCES_OUTBOX_BATCH));
    }

    /**
     * {@code webhooks}: ids unique, urls http(s) with a host, types each {@code namespace:name} or {@code namespace:*}
     * (whether the catalog knows them is checked by the node, which reads the catalog), a secret (prod: at least
     * {@link #MIN_SECRET_BYTES} bytes), no other fields.
     */
    private static List<Webhook> webhooks(ConfigReader r, Mode mode) {
        List<Webhook> result = new java.util.ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        List<JsonObject> items = r.objectList(WEBHOOKS);
        for (int i = 0; i < items.size(); i++) {
            JsonObject item = items.get(i);
            String where = r.where(WEBHOOKS) + "[" + i + "]";
            for (String field : item.fieldNames()) {
                if (!List.of("id", "url", "types", "secret", "timeoutMs").contains(field)) {
                    throw new ConfigException(where, "unknown field '" + field + "' (id, url, types, secret, timeoutMs)");
                }
            }
            if (!(item.getValue("id") instanceof String id) || !id.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new ConfigException(where + ".id", "must be 1 to 64 letters, digits, '-', '_' or '.'");
            }
            if (!ids.add(id)) {
                throw new ConfigException(where + ".id", "'" + id + "' names another webhook too; ids must be unique");
            }
            java.net.URI uri;
            try {
                uri = item.getValue("url") instanceof String url ? new java.net.URI(url) : null;
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            if (uri == null || uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    || uri.getHost() == null) {
                throw new ConfigException(where + ".url", "must be an http:// or https:// URL with a host");
            }
            if (!(item.getValue("types") instanceof io.vertx.core.json.JsonArray array) || array.isEmpty()) {
                throw new ConfigException(where + ".types", "must be a non-empty array of event types or namespace:* patterns");
            }
            List<String> types = new java.util.ArrayList<>();
            for (Object type : array) {
                if (!(type instanceof String t) || !t.matches("[^:\\s*]+:([^:\\s*]+|\\*)")) {
                    throw new ConfigException(where + ".types", "'" + type + "' is neither an event type (namespace:name) nor namespace:*");
                }
                types.add(t);
            }
            if (!(item.getValue("secret") instanceof String secret) || secret.isEmpty()) {
                throw new ConfigException(where + ".secret", "must be a non-empty string (the key of the HMAC-SHA256 signature)");
            }
            if (mode == Mode.PROD && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new ConfigException(where + ".secret", "prod mode needs a webhook secret of at least " + MIN_SECRET_BYTES
                        + " bytes (e.g. openssl rand -hex 32)");
            }
            Object timeout = item.getValue("timeoutMs", Webhook.DEFAULT_TIMEOUT_MS);
            if (!(timeout instanceof Integer ms) || ms < 1000 || ms > 600_000) {
                throw new ConfigException(where + ".timeoutMs", "must be a whole number in 1000..600000");
            }
            result.add(new Webhook(id, uri.toString(), List.copyOf(types), secret, ms));
        }
        return List.copyOf(result);
    }

    /** {@code proxy.*}: each proxy on when its url is set (http or https with a host); publish types each a type or {@code namespace:*}. */
    private static Proxies proxies(ConfigReader r) {
        BackendProxy connect = backendProxy(r, PROXY_CONNECT_URL, PROXY_CONNECT_TIMEOUT_MS, PROXY_CONNECT_MAX_CONCURRENT,
                PROXY_CONNECT_BREAKER_FAILURES, PROXY_CONNECT_BREAKER_RESET_MS);
        BackendProxy publish = backendProxy(r, PROXY_PUBLISH_URL, PROXY_PUBLISH_TIMEOUT_MS, PROXY_PUBLISH_MAX_CONCURRENT,
                PROXY_PUBLISH_BREAKER_FAILURES, PROXY_PUBLISH_BREAKER_RESET_MS);
        List<String> headers = new java.util.ArrayList<>();
        for (String header : r.stringList(PROXY_CONNECT_HEADERS)) {
            if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new ConfigException(r.where(PROXY_CONNECT_HEADERS), "'" + header + "' is not an HTTP header name");
            }
            headers.add(header.toLowerCase(Locale.ROOT));
        }
        List<String> types = r.stringList(PROXY_PUBLISH_TYPES);
        for (String type : types) {
            if (!type.matches("[^:\\s*]+:([^:\\s*]+|\\*)")) {
                throw new ConfigException(r.where(PROXY_PUBLISH_TYPES), "'" + type + "' is neither an event type (namespace:name) nor namespace:*");
            }
        }
        if (publish != null && types.isEmpty()) {
            throw new ConfigException(r.where(PROXY_PUBLISH_TYPES), "proxy.publish.url is set: name the types it checks");
        }
        return new Proxies(connect, List.copyOf(headers), publish, List.copyOf(types));
    }

    private static BackendProxy backendProxy(ConfigReader r, ConfigKey url, ConfigKey timeoutMs, ConfigKey maxConcurrent,
                                             ConfigKey breakerFailures, ConfigKey breakerResetMs) {
        // read (and range-checked) whether the proxy is on or not: a bad value stops the node either way
        int timeout = r.integer(timeoutMs);
        int concurrent = r.integer(maxConcurrent);
        int failures = r.integer(breakerFailures);
        int resetMs = r.integer(breakerResetMs);
        String value = r.string(url);
        if (value == null || value.isBlank()) {
            return null;
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            throw new ConfigException(r.where(url), "must be an http:// or https:// URL with a host");
        }
        return new BackendProxy(uri.toString(), timeout, concurrent, failures, resetMs);
    }

    /** {@code auth.jwks*}: null without a URL; the URL http(s) with a host; the refresh bounds in order. */
    private static Jwks jwks(ConfigReader r) {
        String url = r.string(AUTH_JWKS_URL);
        // read (and checked) with or without a URL
        int min = r.integer(AUTH_JWKS_MIN_REFRESH_SECONDS);
        int max = r.integer(AUTH_JWKS_MAX_REFRESH_SECONDS);
        int minRefetch = r.integer(AUTH_JWKS_MIN_REFETCH_SECONDS);
        if (url == null || url.isBlank()) {
            return null;
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(url.trim());
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            throw new ConfigException(r.where(AUTH_JWKS_URL), "must be an http:// or https:// URL with a host");
        }
        if (max < min) {
            throw new ConfigException(r.where(AUTH_JWKS_MAX_REFRESH_SECONDS), max + " is below auth.jwksMinRefreshSeconds (" + min + ")");
        }
        return new Jwks(uri.toString(), minRefetch, min, max);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** A claim name or dotted path: not empty, no empty segment. */
    private static String claimPath(ConfigReader r, ConfigKey key) {
        String path = r.string(key);
        if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new ConfigException(r.where(key), "must be a claim name or a dotted path such as realm_access.roles");
        }
        return path;
    }

    /** {@code cluster.tls.*}: both halves of the node's identity and a trust, or nothing; every file readable. */
    private static ClusterTls clusterTls(ConfigReader r) {
        String certPath = r.string(CLUSTER_TLS_CERT_PATH);
        String keyPath = r.string(CLUSTER_TLS_KEY_PATH);
        String trustPath = r.string(CLUSTER_TLS_TRUST_PATH);
        String keyStore = r.string(CLUSTER_TLS_KEY_STORE);
        String trustStore = r.string(CLUSTER_TLS_TRUST_STORE);
        if ((certPath == null) != (keyPath == null)) {
            throw new ConfigException(certPath == null ? "cluster.tls.certPath" : "cluster.tls.keyPath",
                    "the event bus's TLS needs both the node's certificate and its key (PEM files)");
        }
        if (certPath != null && keyStore != null) {
            throw new ConfigException("cluster.tls.keyStore", "set either cluster.tls.certPath/keyPath (PEM) or cluster.tls.keyStore (PKCS#12), not both");
        }
        if (trustPath != null && trustStore != null) {
            throw new ConfigException("cluster.tls.trustStore", "set either cluster.tls.trustPath (PEM) or cluster.tls.trustStore (PKCS#12), not both");
        }
        boolean identity = certPath != null || keyStore != null;
        boolean trust = trustPath != null || trustStore != null;
        if (identity != trust) {
            throw new ConfigException(identity ? "cluster.tls.trustPath" : "cluster.tls.certPath",
                    identity ? "mutual TLS needs the CA certificates the other nodes' certificates chain to (trustPath or trustStore)"
                            : "a trust without the node's own certificate (certPath/keyPath or keyStore) cannot authenticate this node");
        }
        for (String[] file : new String[][]{{"cluster.tls.certPath", certPath}, {"cluster.tls.keyPath", keyPath},
                {"cluster.tls.trustPath", trustPath}, {"cluster.tls.keyStore", keyStore}, {"cluster.tls.trustStore", trustStore}}) {
            if (file[1] != null && !Files.isReadable(Path.of(file[1]))) {
                throw new ConfigException(file[0], "cannot read " + file[1]);
            }
        }
        return new ClusterTls(certPath == null ? null : Path.of(certPath), keyPath == null ? null : Path.of(keyPath),
                trustPath == null ? null : Path.of(trustPath), keyStore == null ? null : Path.of(keyStore),
                r.string(CLUSTER_TLS_KEY_STORE_PASSWORD), trustStore == null ? null : Path.of(trustStore),
                r.string(CLUSTER_TLS_TRUST_STORE_PASSWORD));
    }

    private void checkProductionSafe() {
        if (auth.jwtSecret() != null) {
            if (DEV_JWT_SECRET.equals(auth.jwtSecret())) {
                throw new ConfigException("auth.jwtSecret", "prod mode refuses the shipped development secret; set HERALD_JWT_SECRET");
            }
            if (auth.jwtSecret().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new ConfigException("auth.jwtSecret", "prod mode needs a secret of at least " + MIN_SECRET_BYTES + " bytes");
            }
        }
        if (auth.previousJwtSecret() != null) {
            if (DEV_JWT_SECRET.equals(auth.previousJwtSecret())) {
                throw new ConfigException("auth.previousJwtSecret", "prod mode refuses the shipped development secret, also as the previous one");
            }
            if (auth.previousJwtSecret().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new ConfigException("auth.previousJwtSecret", "prod mode needs a secret of at least " + MIN_SECRET_BYTES + " bytes");
            }
        }
        if (auth.jwks() != null) {
            // the provider signs tokens for every app it serves (and, for a shared key set, every tenant): without an issuer
            // and an audience any of them would be accepted; over http, anyone on the way could swap the keys
            if (!auth.jwks().url().toLowerCase(java.util.Locale.ROOT).startsWith("https://")) {
                throw new ConfigException("auth.jwksUrl", "prod mode fetches the identity provider's keys over https only");
            }
            if (auth.issuer() == null || auth.issuer().isBlank()) {
                throw new ConfigException("auth.issuer", "prod mode with auth.jwksUrl needs the issuer your tokens carry (iss)");
            }
            if (auth.audience() == null || auth.audience().isBlank()) {
                throw new ConfigException("auth.audience", "prod mode with auth.jwksUrl needs the audience your tokens carry (aud)");
            }
        }
        if (DEV_API_KEY.equals(apiKey)) {
            throw new ConfigException("api.key", "prod mode refuses the shipped development API key; set HERALD_API_KEY");
        }
        if (apiKey.length() < MIN_API_KEY_CHARS) {
            throw new ConfigException("api.key (" + ENV_API_KEY + ")", "prod mode needs an API key of at least " + MIN_API_KEY_CHARS
                    + " characters (e.g. openssl rand -hex 32)");
        }
        if (http.allowedOrigins().isEmpty()) {
            throw new ConfigException("http.allowedOrigins (" + ENV_ALLOWED_ORIGINS + ")",
                    "prod mode needs the list of browser origins allowed to connect, e.g. https://shop.example.com");
        }
    }

    /**
     * The environment variable that sets a key: {@code HERALD_} and the key in upper snake case
     * ({@code bridge.maxFrameBytes} → {@code HERALD_BRIDGE_MAX_FRAME_BYTES}). Some keys also have a short name
     * ({@code HERALD_CLUSTER}, …), which wins.
     */
    public static String envName(String key) {
        return ConfigKey.envNameOf(key);
    }
}
