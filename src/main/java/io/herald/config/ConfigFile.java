package io.herald.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One file of the configuration (herald.json, the catalog, roles, rooms, cluster.xml): a file on disk, or
 * the copy of the shipped {@code conf/} and {@code cluster.xml} built into the jar, used when the node
 * runs where there is no {@code conf/} folder.
 */
public record ConfigFile(Path path, String builtInName) {
    /** Where the build puts the shipped files in the jar. */
    static final String BUILT_IN_FOLDER = "/herald-defaults/";

    public static ConfigFile of(Path path) {
        return new ConfigFile(path, null);
    }

    public static ConfigFile builtIn(String name) {
        return new ConfigFile(null, name);
    }

    public boolean isBuiltIn() {
        return path == null;
    }

    /** The file's text; a missing or unreadable file is a configuration error naming {@code key}. */
    public String readText(String key) {
        if (path != null) {
            try {
                return Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(key, "cannot read " + path + " (" + e.getMessage() + ")");
            }
        }
        try (InputStream in = ConfigFile.class.getResourceAsStream(BUILT_IN_FOLDER + builtInName)) {
            if (in == null) {
                throw new ConfigException(key, "the jar has no built-in " + builtInName);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(key, "cannot read the built-in " + builtInName + " (" + e.getMessage() + ")");
        }
    }

    public JsonObject readJson(String key) {
        try {
            return new JsonObject(readText(key));
        } catch (DecodeException e) {
            throw new ConfigException(key, this + " is not valid JSON (" + e.getMessage() + ")");
        }
    }

    @Override
    public String toString() {
        return path != null ? path.toString() : "built-in " + builtInName;
    }
}
