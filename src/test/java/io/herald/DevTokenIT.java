package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.RawHttp;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The dev token API under DNS rebinding: a page on evil.example whose name the attacker re-points at 127.0.0.1 sends
 * requests that reach a loopback dev node with {@code Host: evil.example} and {@code Origin: http://evil.example}, the
 * same origin as far as Origin versus Host can tell. Only loopback host names may get dev tokens.
 */
class DevTokenIT {
    static HeraldNode node;

    @BeforeAll
    static void startNode() {
        node = TestNodes.start(TestNodes.config(json -> { }));
    }

    @AfterAll
    static void stopNode() {
        node.close().await();
    }

    static RawHttp.Response mint(String host, String origin) throws IOException {
        Map<String, String> headers = origin == null ? Map.of("Host", host) : Map.of("Host", host, "Origin", origin);
        return RawHttp.send(node.port(), "GET", "/api/dev/token?sub=a-1&role=admin".getBytes(StandardCharsets.US_ASCII), headers, null);
    }

    @Test
    void aReboundNameGetsNoToken() throws IOException {
        int port = node.port();
        for (String host : new String[]{"evil.example:" + port, "evil.example", "127.0.0.1.nip.io:" + port, "localhost.evil.example:" + port}) {
            RawHttp.Response rebound = mint(host, "http://" + host);
            assertEquals(403, rebound.status(), "Host " + host + " minted: " + rebound.body());
            assertEquals("access_denied", new JsonObject(rebound.body()).getString("error"));
            RawHttp.Response noOrigin = mint(host, null);
            assertEquals(403, noOrigin.status(), "Host " + host + " without Origin minted: " + noOrigin.body());
        }
    }

    @Test
    void loopbackNamesStillGetTokens() throws IOException {
        int port = node.port();
        for (String host : new String[]{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port}) {
            RawHttp.Response local = mint(host, null);
            assertEquals(200, local.status(), "Host " + host + ": " + local.body());
            assertNotNull(new JsonObject(local.body()).getString("token"));
        }
        RawHttp.Response console = mint("localhost:" + port, "http://localhost:" + port);
        assertEquals(200, console.status(), console.body());
    }
}
