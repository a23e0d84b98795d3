package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real Chromium (src/test/js/console-browser.mjs): the jar as a user starts it (dev mode), signed in
 * from the console's dev form as an admin; an event published over the HTTP API appears, a system event makes a
 * toast, the cluster and who is online show; then the node is stopped and the status indicator says so. First the
 * console is opened from the dev banner's link; neither load may show a 4xx/5xx answer, a page error or a console error. The
 * screenshot is kept as target/console.png.
 */
class ConsoleIT {
    static final Path SCREENSHOT = Path.of("target/console.png").toAbsolutePath();

    @Test
    void aNewcomerSignsInSeesEventsAndTheNodeGoingAway() throws Exception {
        NodeScripts.requireInstalled();
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "install chromium (.ci/run does)");
        int port = TestNodes.freePort();
        NodeProcessIT.Running node = NodeProcessIT.run(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(port), HeraldConfig.ENV_DEMO, "false",
                HeraldConfig.ENV_CLUSTER_CONFIG, NodeProcessIT.privateClusterXml().toString()));
        try {
            node.awaitLine("up on port " + port);
            String bannerUrl = node.awaitLine("console:").replaceFirst("^.*console:\\s*", "").trim();
            Files.deleteIfExists(SCREENSHOT);
            JsonObject seen = NodeScripts.run("console-browser.mjs", new JsonObject().put("base", "http://127.0.0.1:" + port).put("bannerUrl", bannerUrl)
                    .put("apiKey", HeraldConfig.DEV_API_KEY).put("pid", node.process().pid()).put("screenshot", SCREENSHOT.toString()).encode());

            // a newcomer's first minute: the console opened from the banner, then signed in from its dev form, loads
            // without one red line (it asked GET /api/dev/token bare for the roles and logged a 400)
            assertEquals(List.of(), seen.getJsonArray("loadProblems").getList(), "what the browser showed in red while the console loaded");
            assertEquals("dev-admin · admin", seen.getString("bannerWho"), "the banner's link signs in as the dev admin");
            assertEquals("dev-admin · admin", seen.getString("who"));
            assertEquals(false, seen.getBoolean("signInStillShown"), "signed in: the form goes away");
            assertTrue(seen.getString("orderRow").contains("o-console"), seen.encode());
            assertTrue(seen.getString("toast").contains("system:alert") && seen.getString("toast").contains("disk almost full"), seen.encode());
            assertTrue(seen.getString("clusterSize").startsWith("1 node"), seen.encode());
            assertEquals(List.of("dev-admin"), seen.getJsonArray("online").getList(), "the admin itself is online");
            assertEquals(List.of(), seen.getJsonArray("deniedNamespaces").getList(), "an admin reads every namespace");
            // who is typing in a chat room: the other console's staff member, never the typist itself
            assertEquals("nobody is typing", seen.getString("typingBefore"), seen.encode());
            assertEquals("dev-staff is typing…", seen.getString("typing"), seen.encode());
            assertEquals("nobody is typing", seen.getString("typistSeesItself"), seen.encode());
            assertEquals(List.of("system:alert"), seen.getJsonArray("visibleWhenFilteredToSystem").getList());
            assertEquals("open", seen.getJsonArray("statuses").getString(0));
            assertEquals("reconnecting", seen.getJsonArray("statuses").getString(1), "the node went away: " + seen.getString("statusText"));
            assertTrue(seen.getString("statusText").contains("shutdown"), seen.getString("statusText"));
            assertEquals(List.of(), seen.getJsonArray("pageErrors").getList());
            assertTrue(Files.size(SCREENSHOT) > 10_000, "the screenshot is kept in target/");
            assertTrue(node.process().waitFor(30, TimeUnit.SECONDS), "the node exits on SIGTERM");
        } finally {
            node.process().destroyForcibly();
        }
    }
}
