package io.herald.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Node scripts of src/test/js that drive a node with the official npm client; each prints one JSON object. */
public final class NodeScripts {
    public static final Path DIR = Path.of("src/test/js");

    private NodeScripts() {
    }

    /** Fails the test class early when the npm packages are missing. */
    public static void requireInstalled() {
        assertTrue(Files.isDirectory(DIR.resolve("node_modules/@vertx/eventbus-bridge-client.js")),
                "run `npm ci --prefix src/test/js` first (.ci/run does)");
    }

    /** Runs {@code node <script> <args…>}, expects exit 0, and parses the JSON it printed. */
    public static JsonObject run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "node script output: " + output);
        return new JsonObject(output);
    }
}
