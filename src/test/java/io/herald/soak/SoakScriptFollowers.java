package io.herald.soak;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Followers in Node (src/test/js/soak-followers.mjs): the official Vert.x client, moving nodes with since/epoch, and
 * Herald's own herald.js with its list of nodes. Their JSON lines go into the {@link SoakHistory}, timed by this JVM.
 * Needs {@code npm ci --prefix src/test/js} (skipped with a notice otherwise).
 */
final class SoakScriptFollowers implements AutoCloseable {
    static final Path DIR = Path.of("src/test/js");
    private final Process process;
    private final Thread reader;

    static boolean installed() {
        return Files.isDirectory(DIR.resolve("node_modules/@vertx/eventbus-bridge-client.js")) && Files.isDirectory(DIR.resolve("node_modules/herald-client"));
    }

    SoakScriptFollowers(SoakHistory history, List<String> urls, String token, List<String> types, int official, int herald, Path log) throws IOException {
        JsonObject args = new JsonObject().put("urls", urls).put("token", token).put("types", types).put("official", official)
                .put("herald", herald).put("prefix", "");
        process = new ProcessBuilder("node", "soak-followers.mjs", args.encode()).directory(DIR.toFile())
                .redirectError(log.toFile()).start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    JsonObject j;
                    try {
                        j = new JsonObject(line);
                    } catch (RuntimeException notJson) {
                        history.note("node followers: " + line);
                        continue;
                    }
                    String f = j.getString("f");
                    switch (j.getString("k", "")) {
                        case "rec" -> history.delivery(f, j.getString("type"), j.getString("pid"), j.getString("epoch"),
                                j.getLong("seq", -1L), j.getInteger("node", -1));
                        case "err" -> history.err(f, j.getString("type"), j.getString("code"), j.getInteger("node", -1));
                        case "follow" -> history.follow(f, j.getString("type"));
                        default -> history.note(f + " " + j.getString("text"));
                    }
                }
            } catch (IOException ignored) {
                // node ended
            }
        }, "soak-node-followers");
        reader.setDaemon(true);
        reader.start();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        reader.join(10_000);
    }
}
