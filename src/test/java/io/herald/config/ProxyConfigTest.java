package io.herald.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herald.config.ConfigKeysTest.load;
import static io.herald.config.ConfigKeysTest.refused;
import static io.herald.config.ConfigKeysTest.shipped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@code proxy.*}: off as shipped; each proxy on with its url, from the file or the environment; bad values named. */
class ProxyConfigTest {
    @Test
    void offAsShippedAndOnWithAUrlFromTheEnvironment() {
        HeraldConfig.Proxies off = load(shipped(), Map.of()).proxy();
        assertNull(off.connect());
        assertNull(off.publish());
        assertEquals(List.of("cookie", "user-agent"), off.connectHeaders());

        HeraldConfig.Proxies on = load(shipped(), Map.of(
                "HERALD_PROXY_CONNECT_URL", "http://app.internal:8000/herald/connect",
                "HERALD_PROXY_CONNECT_HEADERS", "Cookie, X-Tenant",
                "HERALD_PROXY_CONNECT_TIMEOUT_MS", "1500",
                "HERALD_PROXY_PUBLISH_URL", "https://app.internal/herald/publish",
                "HERALD_PROXY_PUBLISH_TYPES", "customer:viewing_product,chat:*",
                "HERALD_PROXY_PUBLISH_MAX_CONCURRENT", "20")).proxy();
        assertEquals(new HeraldConfig.BackendProxy("http://app.internal:8000/herald/connect", 1500, 200, 5, 10_000), on.connect());
        assertEquals(List.of("cookie", "x-tenant"), on.connectHeaders(), "header names in lower case");
        assertEquals(new HeraldConfig.BackendProxy("https://app.internal/herald/publish", 3000, 20, 5, 10_000), on.publish());
        assertEquals(List.of("customer:viewing_product", "chat:*"), on.publishTypes());
    }

    @Test
    void eachBadValueIsNamed() {
        assertEquals("proxy.connect.url (HERALD_PROXY_CONNECT_URL)",
                refused(shipped(), Map.of("HERALD_PROXY_CONNECT_URL", "ftp://app.internal/")).key());
        assertEquals("proxy.publish.url (HERALD_PROXY_PUBLISH_URL)",
                refused(shipped(), Map.of("HERALD_PROXY_PUBLISH_URL", "not a url")).key());
        assertEquals("proxy.publish.types", refused(shipped(), Map.of("HERALD_PROXY_PUBLISH_URL", "http://app/p")).key(),
                "a publish proxy needs its types");
        assertEquals("proxy.publish.types (HERALD_PROXY_PUBLISH_TYPES)",
                refused(shipped(), Map.of("HERALD_PROXY_PUBLISH_TYPES", "no-colon")).key());
        assertEquals("proxy.connect.headers (HERALD_PROXY_CONNECT_HEADERS)",
                refused(shipped(), Map.of("HERALD_PROXY_CONNECT_HEADERS", "cookie, bad header")).key());
        assertEquals("proxy.connect.timeoutMs (HERALD_PROXY_CONNECT_TIMEOUT_MS)",
                refused(shipped(), Map.of("HERALD_PROXY_CONNECT_TIMEOUT_MS", "10")).key());
    }
}
