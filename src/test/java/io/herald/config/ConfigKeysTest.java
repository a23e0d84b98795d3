package io.herald.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.herald.testing.TestNodes.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The key table ({@link ConfigKeys}) as the loader applies it, and the shipped conf/*.json held to it. */
class ConfigKeysTest {
    static final Path CONF = Path.of("conf");

    static JsonObject shipped() {
        return HeraldConfig.readJson(CONF.resolve("herald.json"), "test");
    }

    static HeraldConfig load(JsonObject json, Map<String, String> env) {
        return HeraldConfig.fromJson(json, CONF, env);
    }

    static ConfigException refused(JsonObject json, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> load(json, env));
    }

    @Test
    void anUnknownKeyInTheFileNamesTheNearestKnownOne() {
        JsonObject json = shipped();
        json.getJsonObject("limits").put("framesPerMinut", 10);
        ConfigException e = refused(json, Map.of());
        assertEquals("limits.framesPerMinut", e.key());
        assertEquals("unknown key limits.framesPerMinut; did you mean limits.framesPerMinute?", e.getMessage());

        JsonObject section = shipped();
        section.put("htpp", new JsonObject().put("port", 1));
        assertEquals("unknown key htpp; did you mean http?", refused(section, Map.of()).getMessage());

        JsonObject deep = shipped();
        deep.getJsonObject("cluster").getJsonObject("tls").put("keystore", "x.p12");
        assertEquals("unknown key cluster.tls.keystore; did you mean cluster.tls.keyStore?", refused(deep, Map.of()).getMessage());

        JsonObject far = shipped();
        far.put("frobnicate", true);
        ConfigException farAway = refused(far, Map.of());
        assertEquals("frobnicate", farAway.key());
        assertFalse(farAway.getMessage().contains("did you mean"), farAway.getMessage());
        assertTrue(farAway.getMessage().contains("docs/configuration.md"), farAway.getMessage());

        JsonObject notAnObject = shipped();
        notAnObject.put("bridge", 5);
        assertEquals("bridge", refused(notAnObject, Map.of()).key());
    }

    @Test
    void patternKeysTakeAnyNameOrOneOfTheirNamesWithinTheirRange() {
        JsonObject json = shipped();
        json.getJsonObject("limits").getJsonObject("framesPerMinuteByRole").put("auditor", 7);
        json.getJsonObject("limits").getJsonObject("framesPerMinuteByKind").put("publish", 9);
        json.getJsonObject("history").getJsonObject("namespaces").put("system", new JsonObject().put("maxAgeSeconds", 60));
        HeraldConfig config = load(json, Map.of());
        assertEquals(7, config.limits().framesPerMinuteByRole().get("auditor"));
        assertEquals(Map.of("publish", 9), config.limits().framesPerMinuteByKind());
        assertEquals(new HeraldConfig.HistoryBounds(1000, 60), config.history().forNamespace("system"), "the default count, its own age");

        JsonObject badKind = shipped();
        badKind.getJsonObject("limits").getJsonObject("framesPerMinuteByKind").put("publsh", 9);
        assertEquals("unknown key limits.framesPerMinuteByKind.publsh; did you mean limits.framesPerMinuteByKind.publish?",
                refused(badKind, Map.of()).getMessage());

        JsonObject badField = shipped();
        badField.getJsonObject("history").getJsonObject("namespaces").getJsonObject("orders").put("maxEvent", 5);
        assertEquals("unknown key history.namespaces.orders.maxEvent; did you mean history.namespaces.orders.maxEvents?",
                refused(badField, Map.of()).getMessage());

        JsonObject outOfRange = shipped();
        outOfRange.getJsonObject("limits").getJsonObject("framesPerMinuteByRole").put("auditor", 0);
        ConfigException e = refused(outOfRange, Map.of());
        assertEquals("limits.framesPerMinuteByRole.auditor", e.key());
        assertEquals("limits.framesPerMinuteByRole.auditor: 0 is outside 1..1000000", e.getMessage());
    }

    @Test
    void aPatternKeysMapIsSetFromTheEnvironmentAsOneJsonObject() {
        HeraldConfig config = load(shipped(), env("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE", "{\"auditor\": 7}",
                "HERALD_HISTORY_NAMESPACES", "{\"system\": {\"maxEvents\": 5}}"));
        assertEquals(Map.of("auditor", 7), config.limits().framesPerMinuteByRole(), "the environment's map replaces the file's");
        assertEquals(new HeraldConfig.HistoryBounds(5, 86_400), config.history().forNamespace("system"));
        assertEquals(new HeraldConfig.HistoryBounds(1000, 86_400), config.history().forNamespace("orders"));

        assertEquals("limits.framesPerMinuteByRole (HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE)",
                refused(shipped(), env("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE", "admin=600")).key());
        assertEquals("limits.framesPerMinuteByRole.admin (HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE)",
                refused(shipped(), env("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE", "{\"admin\": -1}")).key());
        ConfigException inEnv = refused(shipped(), env("HERALD_HISTORY_NAMESPACES", "{\"system\": {\"maxEvent\": 5}}"));
        assertEquals("history.namespaces.system.maxEvent", inEnv.key());
        assertEquals("unknown key history.namespaces.system.maxEvent; did you mean history.namespaces.system.maxEvents? (in HERALD_HISTORY_NAMESPACES)",
                inEnv.getMessage());
        ConfigException perEntry = refused(shipped(), env("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE_ADMIN", "5"));
        assertEquals("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE_ADMIN", perEntry.key());
        assertTrue(perEntry.getMessage().contains("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE sets all of limits.framesPerMinuteByRole"),
                perEntry.getMessage());
    }

    @Test
    void anUnknownVariableThatLooksMeantForHeraldIsAnErrorOthersAreLeftAlone() {
        ConfigException typo = refused(shipped(), env("HERALD_HTTP_PROT", "9090"));
        assertEquals("HERALD_HTTP_PROT", typo.key());
        assertEquals("unknown environment variable HERALD_HTTP_PROT; did you mean HERALD_HTTP_PORT (http.port)?", typo.getMessage());
        assertEquals("unknown environment variable HERALD_JWT_SECRT; did you mean HERALD_JWT_SECRET (auth.jwtSecret)?",
                refused(shipped(), env("HERALD_JWT_SECRT", "s")).getMessage());
        ConfigException inSection = refused(shipped(), env("HERALD_BRIDGE_SOMETHING_ELSE_ENTIRELY", "1"));
        assertTrue(inSection.getMessage().startsWith("unknown environment variable HERALD_BRIDGE_SOMETHING_ELSE_ENTIRELY"), inSection.getMessage());
        // not ours: a user's own variable, a test's, Kubernetes' service links for a Service named herald or herald-api
        load(shipped(), env("HERALD_HOME", "/opt/herald", "HERALD_FUZZ_SEED", "7", "HERALD_SERVICE_HOST", "10.0.0.1",
                "HERALD_SERVICE_PORT", "8080", "HERALD_PORT", "tcp://10.0.0.1:8080", "HERALD_PORT_8080_TCP_ADDR", "10.0.0.1",
                "HERALD_API_SERVICE_PORT_HTTP", "80", "HERALD_CONF", "conf/herald.json"));
    }

    @Test
    void everyKeyHasItsDerivedNameAndTheShortNamesAreTheDocumentedOnes() {
        Map<String, String> shortNames = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ConfigKey key : ConfigKeys.all()) {
            String base = key.isPattern() ? key.mapPath() : key.path();
            assertTrue(key.envNames().contains(ConfigKey.envNameOf(base)), key.path());
            assertEquals(base.toUpperCase(java.util.Locale.ROOT).replace(".", ""), key.envName().substring("HERALD_".length()).replace("_", ""),
                    "upper snake case of " + key.path());
            for (String name : key.envNames()) {
                assertTrue(seen.add(name) || key.isPattern(), name + " sets two keys");
            }
            if (key.alias() != null) {
                shortNames.put(key.alias(), key.path());
            }
        }
        assertEquals("HERALD_BRIDGE_MAX_FRAME_BYTES", ConfigKeys.BRIDGE_MAX_FRAME_BYTES.envName());
        assertEquals("HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE", ConfigKeys.LIMITS_FRAMES_PER_MINUTE_BY_ROLE.envName());
        // DESIGN.md §1: the short names, besides those equal to the derived name (HERALD_HTTP_PORT, HERALD_API_KEY, HERALD_MODE)
        assertEquals(Map.of("HERALD_JWT_SECRET", "auth.jwtSecret", "HERALD_CLUSTER", "cluster.enabled",
                "HERALD_CLUSTER_CONFIG", "cluster.configFile", "HERALD_DEMO", "demo.enabled",
                "HERALD_ALLOWED_ORIGINS", "http.allowedOrigins", "HERALD_TLS_CERT", "http.tlsCert", "HERALD_TLS_KEY", "http.tlsKey"), shortNames);
        assertEquals(List.of("HERALD_HTTP_PORT"), ConfigKeys.HTTP_PORT.envNames());
        assertEquals(List.of("HERALD_API_KEY"), ConfigKeys.API_KEY.envNames());
        assertEquals(List.of("HERALD_MODE"), ConfigKeys.MODE.envNames());
        assertEquals(List.of("HERALD_CLUSTER", "HERALD_CLUSTER_ENABLED"), ConfigKeys.CLUSTER_ENABLED.envNames(), "the short name first: it wins");
    }

    /** Each declared number, flag and choice is read by the loader and held to its range, from either of its names. */
    @Test
    void everyKeyIsReadAndRefusesValuesOutsideItsRange() {
        int checked = 0;
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.isPattern()) {
                continue;
            }
            for (String name : key.envNames()) {
                switch (key.type()) {
                    case INTEGER -> {
                        assertOutside(key, name, key.max() + 1);
                        assertOutside(key, name, key.min() - 1);
                        ConfigException notANumber = refused(shipped(), env(name, "lots"));
                        assertEquals(key.path() + " (" + name + ")", notANumber.key());
                        assertTrue(notANumber.getMessage().endsWith("'lots' is not a whole number in " + key.rangeText()), notANumber.getMessage());
                        checked++;
                    }
                    case BOOLEAN -> {
                        assertEquals(key.path() + " (" + name + ")", refused(shipped(), env(name, "maybe")).key());
                        checked++;
                    }
                    case CHOICE -> {
                        ConfigException e = refused(shipped(), env(name, "nope"));
                        assertEquals(key.path() + " (" + name + ")", e.key());
                        assertTrue(e.getMessage().endsWith("'nope' is not one of " + String.join(", ", key.choices())), e.getMessage());
                        checked++;
                    }
                    case STRING, SECRET, FILE, PATH -> {
                        if (key.path().startsWith("cluster.tls.") || key.path().startsWith("http.tls")) {
                            continue; // read in pairs, of readable files: HeraldConfigTest.clusterTlsNeedsBothHalvesAndReadableFiles
                        }
                        if (key == ConfigKeys.AUTH_PREVIOUS_JWT_SECRET || key == ConfigKeys.AUTH_JWKS_URL) {
                            continue; // read with its partner (until), as a URL: IdentityConfigTest
                        }
                        if (key.path().startsWith("proxy.")) {
                            continue; // URLs, checked: ProxyConfigTest
                        }
                        String value = "probe-" + key.path();
                        assertTrue(load(shipped(), env(name, value)).toString().contains(value), key + " is read from " + name);
                        checked++;
                    }
                    case STRING_LIST -> {
                        if (key.path().startsWith("proxy.")) {
                            continue; // header names and event types, checked: ProxyConfigTest
                        }
                        String value = "https://" + key.path() + ".example";
                        assertTrue(load(shipped(), env(name, "https://a.example, " + value)).toString().contains("[https://a.example, " + value + "]"),
                                key + " is read from " + name + ", comma-separated");
                        checked++;
                    }
                    case OBJECT_LIST -> {
                        String value = "[{\"id\":\"probe\",\"url\":\"https://" + key.path() + ".example/in\",\"types\":[\"order:*\"],\"secret\":\"s\"}]";
                        assertTrue(load(shipped(), env(name, value)).toString().contains("https://" + key.path() + ".example/in"),
                                key + " is read from " + name + ", as JSON");
                        assertEquals(key.path() + " (" + name + ")", refused(shipped(), env(name, "{not json")).key());
                        checked++;
                    }
                    default -> fail("no check for " + key.type());
                }
            }
        }
        assertTrue(checked >= 50, "checked " + checked);
        JsonObject wrongType = shipped();
        wrongType.getJsonObject("bridge").put("maxFrameBytes", new JsonObject());
        assertEquals("bridge.maxFrameBytes: must be a whole number in 256..16777216", refused(wrongType, Map.of()).getMessage());
    }

    private static void assertOutside(ConfigKey key, String name, long value) {
        ConfigException e = refused(shipped(), env(name, Long.toString(value)));
        assertEquals(key.path() + " (" + name + ")", e.key());
        assertEquals(key.path() + " (" + name + "): " + value + " is outside " + key.rangeText(), e.getMessage());
    }

    @Test
    void prodRefusesToStartWithoutTheKeysItRequires() {
        Map<String, String> strong = env("HERALD_MODE", "prod", "HERALD_JWT_SECRET", HeraldConfigTest.STRONG_SECRET,
                "HERALD_API_KEY", HeraldConfigTest.STRONG_KEY, "HERALD_ALLOWED_ORIGINS", "https://shop.example.com");
        JsonObject json = shipped();
        load(json, strong);
        int required = 0;
        for (ConfigKey key : ConfigKeys.all()) {
            if (!key.prodRequired()) {
                continue;
            }
            required++;
            Map<String, String> without = new HashMap<>(strong);
            without.keySet().removeAll(key.envNames());
            JsonObject unset = shipped();
            String[] parts = key.path().split("\\.");
            unset.getJsonObject(parts[0]).putNull(parts[1]);
            assertTrue(refused(unset, without).key().startsWith(key.path()), key.path());
        }
        assertEquals(3, required);
    }

    /**
     * conf/herald.json lists every key but the pattern keys, each at its default (null where the default depends on
     * something else or is nothing), unless the key says why the shipped value differs. A default that depends on other
     * values (limits.framesBurst) is checked by the whole: the shipped file configures what the defaults do.
     */
    @Test
    void theShippedHeraldJsonListsEveryKeyAtItsDefault() {
        JsonObject json = shipped();
        List<String> problems = new ArrayList<>();
        JsonObject minimal = new JsonObject();
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.isPattern()) {
                if (key.shipped() != null) {
                    copy(json, minimal, key.mapPath());
                }
                continue;
            }
            String[] parts = key.path().split("\\.");
            JsonObject node = json;
            for (int i = 0; i < parts.length - 1 && node != null; i++) {
                node = node.getJsonObject(parts[i]);
            }
            if (node == null || !node.containsKey(parts[parts.length - 1])) {
                problems.add(key.path() + " is missing");
                continue;
            }
            Object value = node.getValue(parts[parts.length - 1]);
            if (key.shipped() != null) {
                copy(json, minimal, key.path());
            } else if (value != null && key.defaultText() == null && !sameValue(value, key.defaultValue())) {
                problems.add(key.path() + " is " + value + ", the default " + (key.defaultText() != null ? key.defaultText() : key.defaultValue())
                        + " (null, or say why in its ConfigKeys entry with shipped(…))");
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(load(minimal, Map.of()), load(json, Map.of()), "the shipped file configures what the defaults do");
    }

    private static boolean sameValue(Object value, Object defaultValue) {
        if (value instanceof Number n && defaultValue instanceof Number d) {
            return n.longValue() == d.longValue();
        }
        if (value instanceof io.vertx.core.json.JsonArray array) {
            return array.getList().equals(defaultValue);
        }
        return value.equals(defaultValue);
    }

    private static void copy(JsonObject from, JsonObject to, String path) {
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            from = from.getJsonObject(parts[i]);
            if (from == null) {
                return;
            }
            to = to.containsKey(parts[i]) ? to.getJsonObject(parts[i]) : to.put(parts[i], new JsonObject()).getJsonObject(parts[i]);
        }
        to.put(parts[parts.length - 1], from.getValue(parts[parts.length - 1]));
    }

    /** Every conf/herald*.json (the node's config files, not the catalog, roles or rooms it names) loads, so uses only declared keys. */
    @Test
    void everyHeraldJsonInConfUsesDeclaredKeysWithValidValues() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(CONF)) {
            files = list.filter(p -> p.getFileName().toString().matches("herald.*\\.json")).toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) {
            assertNotNull(load(HeraldConfig.readJson(file, file.toString()), Map.of()), file.toString());
        }
        // and the key table is sound: a default within its range, a doc, a known section
        for (ConfigKey key : ConfigKeys.all()) {
            assertFalse(key.doc().isBlank(), key.path());
            assertTrue(ConfigKeys.sections().containsKey(key.section()), key.path());
            if (key.defaultValue() instanceof Integer n) {
                assertTrue(n >= key.min() && n <= key.max(), key.path());
            }
            if (key.type() == ConfigKey.Type.CHOICE) {
                assertTrue(key.choices().contains(key.defaultValue()), key.path());
            }
            assertTrue(key.defaultValue() == null || key.defaultText() == null, key.path() + ": one default");
        }
        assertNull(ConfigKeys.byPath("nope"));
    }
}
