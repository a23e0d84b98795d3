package io.herald.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's whole configuration: {@code conf/herald.json} with the {@code HERALD_*} environment
 * overrides applied, validated once at start. Each key is read in exactly one place, below.
 */
public record HeraldConfig(
        Mode mode,
        Http http,
        Cluster cluster,
        Auth auth,
        String apiKey,
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
        Log log) {

    public enum Mode { DEV, PROD }

    enum LogLevel { ERROR, WARN, INFO, DEBUG }

    enum LogFormat { TEXT, JSON }

    /**
     * {@code instances}: HTTP verticles (event loops) sharing the port (0 in the file: one per available core);
     * {@code allowedOrigins}: the browser origins allowed to open bridge connections and call the API
     * (empty: any, which only dev mode accepts); {@code tlsCert}/{@code tlsKey}: PEM files, both or none.
     */
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
     */
    public record Cluster(boolean enabled, ConfigFile configFile, String host, int port, int minMembers, ClusterTls tls, int wireVersion) {
    }

    /**
     * TLS with mutual authentication on the event bus between nodes ({@code cluster.tls.*}): this node's key and
     * certificate (PEM {@code certPath} + {@code keyPath}, or a PKCS#12 {@code keyStore}) and the CA certificates a
     * peer's certificate must chain to (PEM {@code trustPath}, or a PKCS#12 {@code trustStore}). Off when none is set.
     */
    public record ClusterTls(Path certPath, Path keyPath, Path trustPath, Path keyStore, String keyStorePassword,
                             Path trustStore, String trustStorePassword) {
        public boolean enabled() {
            return certPath != null || keyStore != null;
        }
    }

    /**
     * {@code jwtPublicKey}, when set, switches verification to RS256 with that PEM key. {@code maxTokenLifetimeSeconds}:
     * how long a revocation ({@code revokeTokensIssuedBefore}) is kept, and, with {@code requireExpiry} off, the age
     * ({@code iat}) past which a token without {@code exp} is refused.
     */
    public record Auth(String jwtSecret, String jwtPublicKey, boolean allowAnonymous, boolean requireExpiry,
                       int leewaySeconds, String audience, String issuer, int maxTokenLifetimeSeconds) {
        public static final int DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

        public Auth(String jwtSecret, String jwtPublicKey, boolean allowAnonymous, boolean requireExpiry,
                    int leewaySeconds, String audience, String issuer) {
            this(jwtSecret, jwtPublicKey, allowAnonymous, requireExpiry, leewaySeconds, audience, issuer, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
        }
    }

    /**
     * What one bridge connection may send and hold: frame size in bytes, address length, registrations, replies
     * it waits for, bytes written to it and not yet sent ({@code maxOutboundBytes}: past it, it is a slow
     * consumer); how long it may stay silent ({@code idleTimeoutSeconds}, 0: forever) and how often the
     * node pings it. {@code legacyTransports}: serve the SockJS jsonp and htmlfile transports (off: 404).
     */
    public record Bridge(int maxFrameBytes, int maxSubscriptionsPerSocket, int maxAddressLength,
                         int maxPendingReplies, int maxOutboundBytes, int idleTimeoutSeconds, int pingIntervalSeconds,
                         boolean legacyTransports) {
    }

    /**
     * Rates and caps against floods: frames per connection per minute (by role, by frame kind), refused
     * frames before a flooding connection is closed, connections per client IP (cluster-wide) and per node,
     * connection attempts per IP per second, events per second per API key (per node), {@code herald:presence}
     * queries per connection per minute, client publishes per user per
     * minute across the user's connections (per node; anonymous ones per client address).
     */
    public record Limits(int framesPerMinute, int framesBurst, Map<String, Integer> framesPerMinuteByRole,
                         Map<String, Integer> framesPerMinuteByKind, int floodCloseAfter, int connectionsPerIp,
                         int connectionsPerNode, int connectAttemptsPerIpPerSecond, int publishEventsPerSecond,
                         int presenceQueriesPerMinute, int userPublishesPerMinute) {
    }

    public record Demo(boolean enabled, long intervalMs) {
    }

    /** {@code level}: Herald's log level ({@code error}, {@code warn}, {@code info}, {@code debug}); {@code json}: one JSON object per line. */
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

    /**
     * How long delivery holds an event that came before its predecessor, how often it checks each
     * stream's tail, how long a type's delivery stays open on an event loop after its last subscriber left,
     * and the most events one recovery replays; the replay bytes the node holds in memory at once, all replays
     * together ({@code maxReplayBytesInFlight}: past it, replays wait their turn).
     */
    public record Delivery(int holdMs, int tailCheckMs, int lingerMs, int maxRecoveryEvents, long maxReplayBytesInFlight) {
    }

    /**
     * Cluster-wide presence (who is online, room members, online/offline and room events): on or off (rooms
     * work either way), and how often a node sends the others what changed in its part.
     */
    public record Presence(boolean enabled, int flushMs) {
    }

    /** The development values shipped in conf/herald.json; prod mode refuses them. */
    public static final String DEV_JWT_SECRET = "herald-dev-secret-do-not-use-in-production";
    public static final String DEV_API_KEY = "herald-dev-api-key";
    public static final int MIN_SECRET_BYTES = 32;
    /** prod mode refuses a shorter publish API key (a guessable key publishes anything, as anyone). */
    public static final int MIN_API_KEY_CHARS = 32;

    public static final String ENV_CONF = "HERALD_CONF";
    public static final String ENV_HTTP_PORT = "HERALD_HTTP_PORT";
    public static final String ENV_JWT_SECRET = "HERALD_JWT_SECRET";
    public static final String ENV_API_KEY = "HERALD_API_KEY";
    public static final String ENV_CLUSTER = "HERALD_CLUSTER";
    public static final String ENV_CLUSTER_CONFIG = "HERALD_CLUSTER_CONFIG";
    public static final String ENV_MODE = "HERALD_MODE";
    public static final String ENV_DEMO = "HERALD_DEMO";
    public static final String ENV_ALLOWED_ORIGINS = "HERALD_ALLOWED_ORIGINS";
    public static final String ENV_TLS_CERT = "HERALD_TLS_CERT";
    public static final String ENV_TLS_KEY = "HERALD_TLS_KEY";
    public static final String ENV_HISTORY_MAX_EVENTS = "HERALD_HISTORY_MAX_EVENTS";
    public static final String ENV_HISTORY_MAX_AGE_SECONDS = "HERALD_HISTORY_MAX_AGE_SECONDS";
    static final int MAX_HISTORY_EVENTS = 1_000_000;
    static final int MAX_HISTORY_AGE_SECONDS = 30 * 24 * 3600;

    public static final String DEFAULT_CONF = "conf/herald.json";

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
     * not have is the built-in file too. A file named explicitly must exist.
     */
    private static ConfigFile file(Reader r, String key, String defaultName, Path baseDir) {
        String named = r.string(key, null, null);
        if (baseDir == null) {
            return ConfigFile.builtIn(Path.of(named != null ? named : defaultName).getFileName().toString());
        }
        Path path = baseDir.resolve(named != null ? named : defaultName).normalize();
        return named == null && !Files.exists(path) ? ConfigFile.builtIn(Path.of(defaultName).getFileName().toString()) : ConfigFile.of(path);
    }

    /**
     * Builds the config from the JSON of herald.json; relative paths in it resolve against {@code baseDir}
     * (the file's folder), relative paths in the environment against the working directory.
     */
    public static HeraldConfig fromJson(JsonObject json, Path baseDir, Map<String, String> env) {
        Reader r = new Reader(json, env);
        Mode mode = r.enumValue("mode", ENV_MODE, Mode.class, Mode.DEV);

        String tlsCert = r.string("http.tlsCert", ENV_TLS_CERT, null);
        String tlsKey = r.string("http.tlsKey", ENV_TLS_KEY, null);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ConfigException(tlsCert == null ? "http.tlsCert (" + ENV_TLS_CERT + ")" : "http.tlsKey (" + ENV_TLS_KEY + ")",
                    "TLS needs both a certificate and a key (PEM files)");
        }
        int httpInstances = r.integer("http.instances", null, 0, 0, 64);
        Http http = new Http(
                // dev mode is for one machine: it listens on loopback unless told otherwise
                r.string("http.host", null, mode == Mode.DEV ? "127.0.0.1" : "0.0.0.0"),
                r.integer("http.port", ENV_HTTP_PORT, 8080, 0, 65535),
                httpInstances == 0 ? Runtime.getRuntime().availableProcessors() : httpInstances,
                r.integer("http.maxBodyBytes", null, 65536, 256, 16 * 1024 * 1024),
                r.integer("http.maxBatchSize", null, 500, 1, 100_000),
                r.stringList("http.allowedOrigins", ENV_ALLOWED_ORIGINS),
                tlsCert == null ? null : Path.of(tlsCert),
                tlsKey == null ? null : Path.of(tlsKey));

        ConfigFile clusterFile = env.containsKey(ENV_CLUSTER_CONFIG)
                ? ConfigFile.of(Path.of(env.get(ENV_CLUSTER_CONFIG)))
                : file(r, "cluster.configFile", "../cluster.xml", baseDir);
        Cluster cluster = new Cluster(
                r.bool("cluster.enabled", ENV_CLUSTER, true),
                clusterFile,
                r.string("cluster.host", null, "127.0.0.1"),
                r.integer("cluster.port", null, 0, 0, 65535),
                r.integer("cluster.minMembers", null, 0, 0, 1000),
                clusterTls(r),
                r.integer("cluster.wireVersion", null, io.herald.WireVersion.CURRENT, io.herald.WireVersion.PREVIOUS, io.herald.WireVersion.CURRENT));

        Auth auth = new Auth(
                r.string("auth.jwtSecret", ENV_JWT_SECRET, null),
                r.string("auth.jwtPublicKey", null, null),
                r.bool("auth.allowAnonymous", null, true),
                r.bool("auth.requireExpiry", null, true),
                r.integer("auth.leewaySeconds", null, 5, 0, 3600),
                r.string("auth.audience", null, null),
                r.string("auth.issuer", null, null),
                r.integer("auth.maxTokenLifetimeSeconds", null, Auth.DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, 60, 10 * 365 * 86_400));
        if (auth.jwtSecret() == null && auth.jwtPublicKey() == null) {
            throw new ConfigException("auth.jwtSecret", "set a JWT secret (or auth.jwtPublicKey for RS256)");
        }
        String apiKey = r.string("api.key", ENV_API_KEY, null);
        if (apiKey == null || apiKey.isBlank()) {
            throw new ConfigException("api.key", "set the publish API key (HERALD_API_KEY)");
        }

        Bridge bridge = new Bridge(
                r.integer("bridge.maxFrameBytes", null, 65536, 256, 16 * 1024 * 1024),
                r.integer("bridge.maxSubscriptionsPerSocket", null, 64, 1, 10_000),
                r.integer("bridge.maxAddressLength", null, 256, 16, 65_536),
                r.integer("bridge.maxPendingReplies", null, 64, 1, 100_000),
                r.integer("bridge.maxOutboundBytes", null, 1 << 20, 16 * 1024, 1 << 30),
                r.integer("bridge.idleTimeoutSeconds", null, 60, 0, 86_400),
                r.integer("bridge.pingIntervalSeconds", null, 20, 1, 3_600),
                // jsonp and htmlfile (script tags and iframes: no Origin header, so http.allowedOrigins cannot hold them)
                r.bool("bridge.legacyTransports", null, false));

        int framesPerMinute = r.integer("limits.framesPerMinute", null, 100, 1, 1_000_000);
        Limits limits = new Limits(
                framesPerMinute,
                r.integer("limits.framesBurst", null, framesPerMinute, 1, 1_000_000),
                r.integerMap("limits.framesPerMinuteByRole", 1, 1_000_000),
                r.integerMap("limits.framesPerMinuteByKind", 1, 1_000_000),
                r.integer("limits.floodCloseAfter", null, 50, 1, 1_000_000),
                r.integer("limits.connectionsPerIp", null, 25_000, 1, 10_000_000),
                r.integer("limits.connectionsPerNode", null, 20_000, 1, 10_000_000),
                r.integer("limits.connectAttemptsPerIpPerSecond", null, 5_000, 1, 1_000_000),
                r.integer("limits.publishEventsPerSecond", null, 2_000_000, 1, 100_000_000),
                r.integer("limits.presenceQueriesPerMinute", null, 30, 1, 1_000_000),
                // client publishes per user (anonymous: per client address) across its connections on a node
                r.integer("limits.userPublishesPerMinute", null, 3_000, 1, 10_000_000));

        Demo demo = new Demo(
                r.bool("demo.enabled", ENV_DEMO, mode == Mode.DEV),
                r.integer("demo.intervalMs", null, 1500, 10, 3_600_000));

        HistoryBounds historyDefaults = new HistoryBounds(
                r.integer("history.maxEvents", ENV_HISTORY_MAX_EVENTS, 1000, 1, MAX_HISTORY_EVENTS),
                r.integer("history.maxAgeSeconds", ENV_HISTORY_MAX_AGE_SECONDS, 86_400, 0, MAX_HISTORY_AGE_SECONDS));
        Map<String, HistoryBounds> byNamespace = new LinkedHashMap<>();
        JsonObject namespaces = r.object("history.namespaces");
        for (String namespace : namespaces.fieldNames()) {
            String prefix = "history.namespaces." + namespace + ".";
            byNamespace.put(namespace, new HistoryBounds(
                    r.integer(prefix + "maxEvents", null, historyDefaults.maxEvents(), 1, MAX_HISTORY_EVENTS),
                    r.integer(prefix + "maxAgeSeconds", null, historyDefaults.maxAgeSeconds(), 0, MAX_HISTORY_AGE_SECONDS)));
        }
        Delivery delivery = new Delivery(
                r.integer("delivery.holdMs", null, 200, 1, 60_000),
                r.integer("delivery.tailCheckMs", null, 1000, 50, 600_000),
                r.integer("delivery.lingerMs", null, 60_000, 1, 3_600_000),
                r.integer("delivery.maxRecoveryEvents", null, 1000, 1, 1_000_000),
                r.integer("delivery.maxReplayBytesInFlight", null, 64 << 20, 64 * 1024, Integer.MAX_VALUE));
        Presence presence = new Presence(
                r.bool("presence.enabled", null, true),
                r.integer("presence.flushMs", null, 100, 10, 60_000));

        HeraldConfig config = new HeraldConfig(mode, http, cluster, auth, apiKey,
                file(r, "catalog", "catalog.json", baseDir),
                file(r, "roles", "roles.json", baseDir),
                file(r, "rooms", "rooms.json", baseDir),
                bridge,
                limits,
                new History(historyDefaults, Map.copyOf(byNamespace)),
                delivery,
                presence,
                r.integer("stats.intervalMs", null, 2000, 100, 600_000),
                demo,
                new Log(switch (r.enumValue("log.level", null, LogLevel.class, LogLevel.INFO)) {
                    case ERROR -> java.util.logging.Level.SEVERE;
                    case WARN -> java.util.logging.Level.WARNING;
                    case INFO -> java.util.logging.Level.INFO;
                    case DEBUG -> java.util.logging.Level.FINE;
                }, r.enumValue("log.format", null, LogFormat.class, LogFormat.TEXT) == LogFormat.JSON));
        if (mode == Mode.PROD) {
            config.checkProductionSafe();
        }
        return config;
    }

    /** {@code cluster.tls.*}: both halves of the node's identity and a trust, or nothing; every file readable. */
    private static ClusterTls clusterTls(Reader r) {
        String certPath = r.string("cluster.tls.certPath", null, null);
        String keyPath = r.string("cluster.tls.keyPath", null, null);
        String trustPath = r.string("cluster.tls.trustPath", null, null);
        String keyStore = r.string("cluster.tls.keyStore", null, null);
        String trustStore = r.string("cluster.tls.trustStore", null, null);
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
                r.string("cluster.tls.keyStorePassword", null, null), trustStore == null ? null : Path.of(trustStore),
                r.string("cluster.tls.trustStorePassword", null, null));
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
     * ({@code HERALD_HTTP_PORT}, {@code HERALD_CLUSTER}, …), which wins.
     */
    public static String envName(String key) {
        StringBuilder name = new StringBuilder("HERALD_");
        for (char c : key.toCharArray()) {
            if (c == '.') {
                name.append('_');
            } else if (Character.isUpperCase(c)) {
                name.append('_').append(c);
            } else {
                name.append(Character.toUpperCase(c));
            }
        }
        return name.toString();
    }

    /** Typed access to dotted keys, with the environment variable (if any) taking precedence. */
    private static final class Reader {
        private final JsonObject json;
        private final Map<String, String> env;

        Reader(JsonObject json, Map<String, String> env) {
            this.json = json;
            this.env = env;
        }

        private Object raw(String key, String envVar) {
            if (envVar != null && env.get(envVar) != null) {
                return env.get(envVar);
            }
            if (env.get(envName(key)) != null) {
                return env.get(envName(key));
            }
            JsonObject node = json;
            String[] parts = key.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                Object child = node.getValue(parts[i]);
                if (child == null) {
                    return null;
                }
                if (!(child instanceof JsonObject object)) {
                    throw new ConfigException(key, "'" + parts[i] + "' must be an object");
                }
                node = object;
            }
            return node.getValue(parts[parts.length - 1]);
        }

        /** The key, with the environment variable that set it (or its short name) for the message. */
        private String where(String key, String envVar) {
            if ((envVar == null || env.get(envVar) == null) && env.get(envName(key)) != null) {
                return key + " (" + envName(key) + ")";
            }
            return envVar == null ? key : key + " (" + envVar + ")";
        }

        /** A comma-separated list (environment) or an array of strings (file); empty when absent. */
        List<String> stringList(String key, String envVar) {
            Object value = raw(key, envVar);
            if (value == null) {
                return List.of();
            }
            List<String> result = new ArrayList<>();
            if (value instanceof String s) {
                for (String part : s.split(",")) {
                    if (!part.isBlank()) {
                        result.add(part.trim());
                    }
                }
            } else if (value instanceof JsonArray array) {
                for (Object item : array) {
                    if (!(item instanceof String s) || s.isBlank()) {
                        throw new ConfigException(where(key, envVar), "must hold non-empty strings");
                    }
                    result.add(s.trim());
                }
            } else {
                throw new ConfigException(where(key, envVar), "must be an array of strings or a comma-separated string");
            }
            return List.copyOf(result);
        }

        /** An object of name → whole number (file only), each within min..max; empty when absent. */
        Map<String, Integer> integerMap(String key, int min, int max) {
            JsonObject object = object(key);
            Map<String, Integer> result = new LinkedHashMap<>();
            for (String name : object.fieldNames()) {
                result.put(name, integer(key + "." + name, null, 0, min, max));
            }
            return Map.copyOf(result);
        }

        String string(String key, String envVar, String fallback) {
            Object value = raw(key, envVar);
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof String s)) {
                throw new ConfigException(where(key, envVar), "must be a string");
            }
            return s;
        }

        int integer(String key, String envVar, int fallback, int min, int max) {
            Object value = raw(key, envVar);
            if (value == null) {
                return fallback;
            }
            long n;
            if (value instanceof Number number && number.doubleValue() == number.longValue()) {
                n = number.longValue();
            } else if (value instanceof String s) {
                try {
                    n = Long.parseLong(s.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException(where(key, envVar), "'" + s + "' is not a whole number");
                }
            } else {
                throw new ConfigException(where(key, envVar), "must be a whole number");
            }
            if (n < min || n > max) {
                throw new ConfigException(where(key, envVar), n + " is outside " + min + ".." + max);
            }
            return (int) n;
        }

        /** An object of the file (no environment form), empty when absent. */
        JsonObject object(String key) {
            Object value = raw(key, null);
            if (value == null) {
                return new JsonObject();
            }
            if (!(value instanceof JsonObject object)) {
                throw new ConfigException(key, "must be an object");
            }
            return object;
        }

        boolean bool(String key, String envVar, boolean fallback) {
            Object value = raw(key, envVar);
            if (value == null) {
                return fallback;
            }
            if (value instanceof Boolean b) {
                return b;
            }
            if (value instanceof String s) {
                switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "true", "1", "yes", "on":
                        return true;
                    case "false", "0", "no", "off":
                        return false;
                    default:
                        break;
                }
            }
            throw new ConfigException(where(key, envVar), "must be true or false, not '" + value + "'");
        }

        <E extends Enum<E>> E enumValue(String key, String envVar, Class<E> type, E fallback) {
            String value = string(key, envVar, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(key, envVar), "'" + value + "' is not one of "
                        + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT));
            }
        }
    }
}
