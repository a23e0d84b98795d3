package io.herald;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vocabulary file ({@value #RESOURCE}, built into the jar), where the error codes, the close reasons and the
 * reconnect classes are declared once. {@link ErrorCode}, {@link CloseReason} and {@link Reconnect} read their
 * numbers and docs from it when they load; {@code src/main/js/build.mjs --generate} writes herald.js's constants,
 * herald.d.ts's unions and docs/codes.md from the same file. {@code VocabularyTest} fails when an enum constant
 * and the file's entries differ, or when the generated text is stale.
 */
public final class Vocabulary {
    public static final String RESOURCE = "/herald/vocabulary.json";
    static final String RECONNECT = "reconnect";
    static final String CLOSE_REASONS = "closeReasons";
    static final String ERROR_CODES = "errorCodes";
    static final String GRAPHQL_CLOSES = "graphqlCloses";

    private static final Map<String, Map<String, Entry>> SECTIONS = load();

    private Vocabulary() {
    }

    /** One entry of a section: its name and fields. */
    public record Entry(String name, JsonObject fields) {
        int number(String field) {
            Integer value = fields.getInteger(field);
            if (value == null) {
                throw new IllegalStateException(name + " has no " + field + " in " + RESOURCE);
            }
            return value;
        }

        String text(String field) {
            String value = fields.getString(field);
            if (value == null) {
                throw new IllegalStateException(name + " has no " + field + " in " + RESOURCE);
            }
            return value;
        }
    }

    /** The names of a section ({@code reconnect}, {@code closeReasons}, {@code errorCodes}) in file order. */
    public static List<String> names(String section) {
        return new ArrayList<>(section(section).keySet());
    }

    static Entry reconnect(String id) {
        return entry(RECONNECT, id);
    }

    static Entry closeReason(String id) {
        return entry(CLOSE_REASONS, id);
    }

    static Entry errorCode(String id) {
        return entry(ERROR_CODES, id);
    }

    static Entry graphqlClose(String id) {
        return entry(GRAPHQL_CLOSES, id);
    }

    private static Entry entry(String section, String id) {
        Entry entry = section(section).get(id);
        if (entry == null) {
            throw new IllegalStateException(id + " is not declared in " + section + " of " + RESOURCE);
        }
        return entry;
    }

    private static Map<String, Entry> section(String section) {
        Map<String, Entry> entries = SECTIONS.get(section);
        if (entries == null) {
            throw new IllegalStateException(RESOURCE + " has no section " + section);
        }
        return entries;
    }

    private static Map<String, Map<String, Entry>> load() {
        JsonObject file;
        try (InputStream in = Vocabulary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            file = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<String, Entry>> sections = new LinkedHashMap<>();
        for (String section : List.of(RECONNECT, CLOSE_REASONS, ERROR_CODES, GRAPHQL_CLOSES)) {
            JsonArray array = file.getJsonArray(section, new JsonArray());
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (int i = 0; i < array.size(); i++) {
                JsonObject fields = array.getJsonObject(i);
                String name = fields.getString("name");
                if (name == null || entries.put(name, new Entry(name, fields)) != null) {
                    throw new IllegalStateException("entry " + i + " of " + section + " in " + RESOURCE + " has no name or a repeated one: " + name);
                }
            }
            sections.put(section, entries);
        }
        return sections;
    }
}
