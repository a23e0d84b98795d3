package io.herald.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static io.herald.testing.TestNodes.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeraldConfigTest {
    static final String STRONG_SECRET = "0123456789abcdef0123456789abcdef-prod";
    static final String STRONG_KEY = "prod-api-key-0123456789abcdef0123";

    static HeraldConfig load(Map<String, String> env) {
        return HeraldConfig.load(env);
    }

    @Test
    void shippedConfigIsADevClusteredNodeOn8080WithDemo() {
        HeraldConfig config = load(Map.of());
        assertEquals(HeraldConfig.Mode.DEV, config.mode());
        assertEquals(8080, config.http().port());
        assertTrue(config.cluster().enabled());
        assertEquals(ConfigFile.of(Path.of("cluster.xml").toAbsolutePath()), config.cluster().configFile());
        assertTrue(config.demo().enabled());
        assertTrue(config.auth().allowAnonymous());
        assertEquals(ConfigFile.of(Path.of("conf/catalog.json").toAbsolutePath()), config.catalogFile());
        assertEquals(ConfigFile.of(Path.of("conf/presence.json").toAbsolutePath()), config.presence().announceFile());
        assertEquals("127.0.0.1", config.http().host(), "dev listens on loopback only");
    }

    @Test
    void withoutAConfFolderTheBuiltInConfigurationIsUsed() {
        HeraldConfig config = HeraldConfig.fromJson(ConfigFile.builtIn("herald.json").readJson("test"), null, Map.of());
        assertEquals(8080, config.http().port());
        for (ConfigFile file : java.util.List.of(config.catalogFile(), config.rolesFile(), config.roomsFile(), config.cluster().configFile())) {
            assertTrue(file.isBuiltIn(), file.toString());
        }
        assertEquals(ConfigFile.of(Path.of("conf/catalog.json")).readJson("x"), config.catalogFile().readJson("x"), "the jar holds the shipped catalog");
        assertTrue(config.presence().announceFile().isBuiltIn());
        assertEquals(ConfigFile.of(Path.of("conf/presence.json")).readJson("x"), config.presence().announceFile().readJson("x"), "and the presence file");
        assertTrue(config.cluster().configFile().readText("x").contains("<hazelcast"));
    }

    @Test
    void aDefaultFileTheConfFolderLacksIsTheBuiltInOne(@org.junit.jupiter.api.io.TempDir Path folder) throws Exception {
        java.nio.file.Files.writeString(folder.resolve("herald.json"), "{\"http\":{\"port\":9999},\"auth\":{\"jwtSecret\":\"s\"},\"api\":{\"key\":\"k\"}}");
        java.nio.file.Files.writeString(folder.resolve("roles.json"), "{}");
        HeraldConfig config = load(env("HERALD_CONF", folder.resolve("herald.json").toString()));
        assertEquals(9999, config.http().port());
        assertEquals(ConfigFile.of(folder.resolve("roles.json")), config.rolesFile(), "the folder's own file");
        assertTrue(config.catalogFile().isBuiltIn(), "not in the folder: the built-in one");
        java.nio.file.Files.writeString(folder.resolve("herald.json"), "{\"catalog\":\"mine.json\",\"auth\":{\"jwtSecret\":\"s\"},\"api\":{\"key\":\"k\"}}");
        assertEquals(ConfigFile.of(folder.resolve("mine.json")), load(env("HERALD_CONF", folder.resolve("herald.json").toString())).catalogFile(),
                "a file named explicitly is that file, missing or not");
    }

    @Test
    void everyKeyCanBeSetFromTheEnvironmentInUpperSnakeCase() {
        assertEquals("HERALD_BRIDGE_MAX_FRAME_BYTES", HeraldConfig.envName("bridge.maxFrameBytes"));
        HeraldConfig config = load(env("HERALD_BRIDGE_MAX_FRAME_BYTES", "4096", "HERALD_LIMITS_FRAMES_PER_MINUTE", "30",
                "HERALD_HTTP_HOST", "10.0.0.5", "HERALD_CLUSTER_ENABLED", "false"));
        assertEquals(4096, config.bridge().maxFrameBytes());
        assertEquals(30, config.limits().framesPerMinute());
        assertEquals("10.0.0.5", config.http().host());
        assertFalse(config.cluster().enabled());
        assertEquals("bridge.maxOutboundBytes (HERALD_BRIDGE_MAX_OUTBOUND_BYTES)", assertThrows(ConfigException.class,
                () -> load(env("HERALD_BRIDGE_MAX_OUTBOUND_BYTES", "lots"))).key());
    }

    @Test
    void environmentOverridesTheFile() {
        HeraldConfig config = load(env("HERALD_HTTP_PORT", "9090", "HERALD_CLUSTER", "false", "HERALD_DEMO", "off",
                "HERALD_API_KEY", "k-1", "HERALD_JWT_SECRET", "s-1", "HERALD_CLUSTER_CONFIG", "/etc/herald/cluster.xml"));
        assertEquals(9090, config.http().port());
        assertFalse(config.cluster().enabled());
        assertFalse(config.demo().enabled());
        assertEquals("k-1", config.apiKey());
        assertEquals("s-1", config.auth().jwtSecret());
        assertEquals(ConfigFile.of(Path.of("/etc/herald/cluster.xml")), config.cluster().configFile());
    }

    @Test
    void badValuesNameTheirKey() {
        assertEquals("http.port (HERALD_HTTP_PORT)", assertThrows(ConfigException.class,
                () -> load(env("HERALD_HTTP_PORT", "eighty"))).key());
        assertEquals("http.port (HERALD_HTTP_PORT)", assertThrows(ConfigException.class,
                () -> load(env("HERALD_HTTP_PORT", "70000"))).key());
        assertEquals("cluster.enabled (HERALD_CLUSTER)", assertThrows(ConfigException.class,
                () -> load(env("HERALD_CLUSTER", "maybe"))).key());
        assertEquals("mode (HERALD_MODE)", assertThrows(ConfigException.class,
                () -> load(env("HERALD_MODE", "staging"))).key());
        assertEquals("HERALD_CONF", assertThrows(ConfigException.class,
                () -> load(env("HERALD_CONF", "conf/missing.json"))).key());
        JsonObject json = HeraldConfig.readJson(Path.of("conf/herald.json"), "test");
        json.getJsonObject("bridge").put("maxFrameBytes", "big");
        assertEquals("bridge.maxFrameBytes", assertThrows(ConfigException.class,
                () -> HeraldConfig.fromJson(json, Path.of("conf"), Map.of())).key());
        JsonObject noKey = HeraldConfig.readJson(Path.of("conf/herald.json"), "test");
        noKey.getJsonObject("api").remove("key");
        assertEquals("api.key", assertThrows(ConfigException.class,
                () -> HeraldConfig.fromJson(noKey, Path.of("conf"), Map.of())).key());
    }

    @Test
    void historyBoundsHaveADefaultAndPerNamespaceValues() {
        HeraldConfig shipped = load(Map.of());
        assertEquals(new HeraldConfig.HistoryBounds(1000, 86_400), shipped.history().forNamespace("products"));
        assertEquals(new HeraldConfig.HistoryBounds(10_000, 86_400), shipped.history().forNamespace("orders"));
        HeraldConfig tightened = load(env("HERALD_HISTORY_MAX_EVENTS", "50", "HERALD_HISTORY_MAX_AGE_SECONDS", "0"));
        assertEquals(new HeraldConfig.HistoryBounds(50, 0), tightened.history().forNamespace("system"));
        assertEquals(new HeraldConfig.HistoryBounds(10_000, 0), tightened.history().forNamespace("orders"), "the namespace's count, the default's age");

        JsonObject json = HeraldConfig.readJson(Path.of("conf/herald.json"), "test");
        json.getJsonObject("history").getJsonObject("namespaces").put("orders", new JsonObject().put("maxEvents", 0));
        assertEquals("history.namespaces.orders.maxEvents", assertThrows(ConfigException.class,
                () -> HeraldConfig.fromJson(json, Path.of("conf"), Map.of())).key());
        json.getJsonObject("history").put("namespaces", "all");
        assertEquals("history.namespaces", assertThrows(ConfigException.class,
                () -> HeraldConfig.fromJson(json, Path.of("conf"), Map.of())).key());
    }

    @Test
    void prodRefusesDevSecretsAndShortSecrets() {
        assertEquals("auth.jwtSecret", assertThrows(ConfigException.class,
                () -> load(env("HERALD_MODE", "prod", "HERALD_API_KEY", STRONG_KEY))).key());
        assertEquals("auth.jwtSecret", assertThrows(ConfigException.class,
                () -> load(env("HERALD_MODE", "prod", "HERALD_API_KEY", STRONG_KEY, "HERALD_JWT_SECRET", "short"))).key());
        assertEquals("api.key", assertThrows(ConfigException.class,
                () -> load(env("HERALD_MODE", "prod", "HERALD_JWT_SECRET", STRONG_SECRET))).key());
        assertEquals("http.allowedOrigins (HERALD_ALLOWED_ORIGINS)", assertThrows(ConfigException.class,
                () -> load(env("HERALD_MODE", "prod", "HERALD_JWT_SECRET", STRONG_SECRET, "HERALD_API_KEY", STRONG_KEY))).key());
        HeraldConfig prod = load(env("HERALD_MODE", "prod", "HERALD_JWT_SECRET", STRONG_SECRET, "HERALD_API_KEY", STRONG_KEY,
                "HERALD_ALLOWED_ORIGINS", "https://shop.example.com, https://admin.example.com"));
        assertEquals(HeraldConfig.Mode.PROD, prod.mode());
        assertFalse(prod.demo().enabled(), "no demo events in prod unless asked for");
        assertEquals("0.0.0.0", prod.http().host(), "prod listens on every interface");
        assertEquals(java.util.List.of("https://shop.example.com", "https://admin.example.com"), prod.http().allowedOrigins());
    }

    @Test
    void outboundBoundKeysHaveTheirDefaultsAndEnvironmentNames() {
        HeraldConfig shipped = load(Map.of());
        assertEquals(30, shipped.limits().presenceQueriesPerMinute());
        assertEquals(64L << 20, shipped.delivery().maxReplayBytesInFlight());
        HeraldConfig set = load(env("HERALD_LIMITS_PRESENCE_QUERIES_PER_MINUTE", "5", "HERALD_DELIVERY_MAX_REPLAY_BYTES_IN_FLIGHT", "1048576"));
        assertEquals(5, set.limits().presenceQueriesPerMinute());
        assertEquals(1L << 20, set.delivery().maxReplayBytesInFlight());
        assertThrows(ConfigException.class,
                () -> load(env("HERALD_DELIVERY_MAX_REPLAY_BYTES_IN_FLIGHT", "1000")), "below 64 KiB");
        assertThrows(ConfigException.class,
                () -> load(env("HERALD_LIMITS_PRESENCE_QUERIES_PER_MINUTE", "0")));
    }

    @Test
    void prodRefusesAnApiKeyUnder32Characters() {
        String shortKey = STRONG_KEY.substring(0, HeraldConfig.MIN_API_KEY_CHARS - 1);
        ConfigException refused = assertThrows(ConfigException.class, () -> load(env("HERALD_MODE", "prod", "HERALD_JWT_SECRET", STRONG_SECRET,
                "HERALD_API_KEY", shortKey, "HERALD_ALLOWED_ORIGINS", "https://shop.example.com")));
        assertEquals("api.key (HERALD_API_KEY)", refused.key());
        assertFalse(refused.getMessage().contains(shortKey), "the message never shows the key");
        HeraldConfig exact = load(env("HERALD_MODE", "prod", "HERALD_JWT_SECRET", STRONG_SECRET,
                "HERALD_API_KEY", shortKey + "x", "HERALD_ALLOWED_ORIGINS", "https://shop.example.com"));
        assertEquals(HeraldConfig.MIN_API_KEY_CHARS, exact.apiKey().length());
        // dev mode keeps its short shipped key
        assertEquals(HeraldConfig.DEV_API_KEY, load(Map.of()).apiKey());
    }

    @Test
    void clusterTlsNeedsBothHalvesAndReadableFiles() throws Exception {
        java.nio.file.Path pem = java.nio.file.Files.createTempFile("herald-test", ".pem");
        try {
            assertFalse(load(Map.of()).cluster().tls().enabled(), "no TLS by default");
            String file = pem.toString();
            assertEquals("cluster.tls.keyPath", assertThrows(ConfigException.class,
                    () -> load(env("HERALD_CLUSTER_TLS_CERT_PATH", file, "HERALD_CLUSTER_TLS_TRUST_PATH", file))).key());
            assertEquals("cluster.tls.trustPath", assertThrows(ConfigException.class,
                    () -> load(env("HERALD_CLUSTER_TLS_CERT_PATH", file, "HERALD_CLUSTER_TLS_KEY_PATH", file))).key());
            assertEquals("cluster.tls.certPath", assertThrows(ConfigException.class,
                    () -> load(env("HERALD_CLUSTER_TLS_TRUST_STORE", file))).key());
            assertEquals("cluster.tls.keyStore", assertThrows(ConfigException.class, () -> load(env("HERALD_CLUSTER_TLS_CERT_PATH", file,
                    "HERALD_CLUSTER_TLS_KEY_PATH", file, "HERALD_CLUSTER_TLS_KEY_STORE", file, "HERALD_CLUSTER_TLS_TRUST_PATH", file))).key());
            assertEquals("cluster.tls.trustPath", assertThrows(ConfigException.class, () -> load(env("HERALD_CLUSTER_TLS_KEY_STORE", file,
                    "HERALD_CLUSTER_TLS_TRUST_PATH", file + ".missing"))).key());
            HeraldConfig.ClusterTls tls = load(env("HERALD_CLUSTER_TLS_KEY_STORE", file, "HERALD_CLUSTER_TLS_KEY_STORE_PASSWORD", "pw",
                    "HERALD_CLUSTER_TLS_TRUST_PATH", file)).cluster().tls();
            assertTrue(tls.enabled());
            assertEquals("pw", tls.keyStorePassword());
        } finally {
            java.nio.file.Files.delete(pem);
        }
    }

    @Test
    void theWireVersionIsTheReleasesUnlessForcedToThePreviousOne() {
        assertEquals(io.herald.WireVersion.CURRENT, load(Map.of()).cluster().wireVersion());
        assertEquals(1, load(Map.of("HERALD_CLUSTER_WIRE_VERSION", "1")).cluster().wireVersion());
        assertEquals("cluster.wireVersion (HERALD_CLUSTER_WIRE_VERSION)", assertThrows(ConfigException.class,
                () -> load(Map.of("HERALD_CLUSTER_WIRE_VERSION", "3"))).key());
        assertEquals("cluster.wireVersion (HERALD_CLUSTER_WIRE_VERSION)", assertThrows(ConfigException.class,
                () -> load(Map.of("HERALD_CLUSTER_WIRE_VERSION", "0"))).key());
    }
}
