package io.herald.config;

import io.herald.config.ConfigKey.Type;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed access to the declared keys: herald.json with the environment laid over it (a key's short name, else its
 * derived name; a pattern key's map as one JSON object), each value checked against its {@link ConfigKey}.
 */
final class ConfigReader {
    private final JsonObject json;
    /** Path (or a pattern key's map) → the environment variable that set it. */
    private final Map<String, String> fromEnv = new HashMap<>();

    ConfigReader(JsonObject file, Map<String, String> env) {
        this.json = file.copy();
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.isPattern()) {
                String value = env.get(key.envName());
                if (value != null && !fromEnv.containsKey(key.mapPath())) {
                    JsonObject map = parseObject(key, value);
                    place(key.mapPath(), map);
                    try {
                        ConfigSchema.checkFile(json);
                    } catch (ConfigException e) {
                        throw ConfigException.withMessage(e.key(), e.getMessage() + " (in " + key.envName() + ")");
                    }
                    fromEnv.put(key.mapPath(), key.envName());
                }
                continue;
            }
            for (String name : key.envNames()) {
                if (env.get(name) != null) {
                    place(key.path(), env.get(name));
                    fromEnv.put(key.path(), name);
                    break;
                }
            }
        }
    }

    private static JsonObject parseObject(ConfigKey key, String value) {
        try {
            return new JsonObject(value);
        } catch (DecodeException | ClassCastException e) {
            throw new ConfigException(key.mapPath() + " (" + key.envName() + ")", "must be a JSON object, e.g. {\""
                    + (key.names().isEmpty() ? "name" : key.names().get(0)) + "\": …}");
        }
    }

    private void place(String path, Object value) {
        String[] parts = path.split("\\.");
        JsonObject node = json;
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = node.getValue(parts[i]);
            if (!(child instanceof JsonObject)) {
                child = new JsonObject();
                node.put(parts[i], child);
            }
            node = (JsonObject) child;
        }
        node.put(parts[parts.length - 1], value);
    }

    boolean fromEnvironment(String path) {
        return fromEnv.containsKey(path);
    }

    private Object raw(String path) {
        JsonObject node = json;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = node.getValue(parts[i]);
            if (child == null) {
                return null;
            }
            if (!(child instanceof JsonObject object)) {
                throw new ConfigException(path, "'" + parts[i] + "' must be an object");
            }
            node = object;
        }
        return node.getValue(parts[parts.length - 1]);
    }

    /** The key as messages name it: with the environment variable that set it, else with its short name. */
    private String where(ConfigKey key, String path) {
        String var = fromEnv.get(path);
        if (var == null && key.isPattern()) {
            var = fromEnv.get(key.mapPath());
        }
        if (var == null && !key.isPattern()) {
            var = key.alias();
        }
        return var == null ? path : path + " (" + var + ")";
    }

    private static void expect(ConfigKey key, Type... types) {
        for (Type type : types) {
            if (key.type() == type) {
                return;
            }
        }
        throw new IllegalStateException(key + " is declared " + key.type() + ", read as " + java.util.Arrays.toString(types));
    }

    /** A comma-separated list (environment) or an array of strings (file); the default when absent. */
    @SuppressWarnings("unchecked")
    List<String> stringList(ConfigKey key) {
        expect(key, Type.STRING_LIST);
        Object value = raw(key.path());
        if (value == null) {
            return List.copyOf((List<String>) key.defaultValue());
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
                    throw new ConfigException(where(key, key.path()), "must hold non-empty strings");
                }
                result.add(s.trim());
            }
        } else {
            throw new ConfigException(where(key, key.path()), "must be an array of strings or a comma-separated string");
        }
        return List.copyOf(result);
    }

    /** An array of objects (file) or the same as JSON text (environment); the default when absent. */
    @SuppressWarnings("unchecked")
    List<JsonObject> objectList(ConfigKey key) {
        expect(key, Type.OBJECT_LIST);
        Object value = raw(key.path());
        if (value == null) {
            return List.copyOf((List<JsonObject>) key.defaultValue());
        }
        if (value instanceof String s) {
            try {
                value = new JsonArray(s);
            } catch (DecodeException | ClassCastException e) {
                throw new ConfigException(where(key, key.path()), "must be a JSON array of objects, e.g. [{…}]");
            }
        }
        if (!(value instanceof JsonArray array)) {
            throw new ConfigException(where(key, key.path()), "must be an array of objects");
        }
        List<JsonObject> result = new ArrayList<>();
        for (Object item : array) {
            if (!(item instanceof JsonObject object)) {
                throw new ConfigException(where(key, key.path()), "must hold objects only");
            }
            result.add(object);
        }
        return List.copyOf(result);
    }

    /** How messages name a key (with the environment variable that set it). */
    String where(ConfigKey key) {
        return where(key, key.path());
    }

    /** A pattern key's map: the object at its map path, or empty. */
    JsonObject object(String path) {
        Object value = raw(path);
        if (value == null) {
            return new JsonObject();
        }
        if (!(value instanceof JsonObject object)) {
            throw new ConfigException(path, "must be an object");
        }
        return object;
    }

    /** The names a pattern key's map holds. */
    List<String> names(ConfigKey key) {
        return List.copyOf(object(key.mapPath()).fieldNames());
    }

    /** A pattern key's map of name → whole number, each in the key's range; empty when absent. */
    Map<String, Integer> integerMap(ConfigKey key) {
        Map<String, Integer> result = new LinkedHashMap<>();
        for (String name : names(key)) {
            result.put(name, integer(key, name, 0));
        }
        return Map.copyOf(result);
    }

    /** A pattern key's map of name → non-empty string, in the file's order; empty when absent. */
    Map<String, String> stringMap(ConfigKey key) {
        expect(key, Type.STRING);
        Map<String, String> result = new LinkedHashMap<>();
        JsonObject map = object(key.mapPath());
        for (String name : map.fieldNames()) {
            Object value = map.getValue(name);
            if (!(value instanceof String s) || s.isBlank()) {
                throw new ConfigException(where(key, key.at(name)), "must be a non-empty string");
            }
            result.put(name, s);
        }
        return java.util.Collections.unmodifiableMap(result);
    }

    /**
     * A pattern key's map of name → text (a JSON string, number or boolean, as text), read as one object: its names are
     * taken whole (a Kafka topic or property name may hold dots); empty when absent.
     */
    Map<String, String> textMap(ConfigKey key) {
        expect(key, Type.STRING, Type.SECRET);
        JsonObject map = object(key.mapPath());
        Map<String, String> result = new LinkedHashMap<>();
        for (String name : map.fieldNames()) {
            Object value = map.getValue(name);
            if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                throw new ConfigException(key.mapPath() + "." + name, "must be a string");
            }
            result.put(name, value.toString());
        }
        return java.util.Collections.unmodifiableMap(result);
    }

    String string(ConfigKey key) {
        return string(key, (String) key.defaultValue());
    }

    String string(ConfigKey key, String fallback) {
        expect(key, Type.STRING, Type.SECRET, Type.FILE, Type.PATH, Type.CHOICE);
        Object value = raw(key.path());
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String s)) {
            throw new ConfigException(where(key, key.path()), "must be a string");
        }
        return s;
    }

    /** One of the key's choices, lower case. */
    String choice(ConfigKey key) {
        expect(key, Type.CHOICE);
        String value = string(key);
        String chosen = value.trim().toLowerCase(Locale.ROOT);
        if (!key.choices().contains(chosen)) {
            throw new ConfigException(where(key, key.path()), "'" + value + "' is not one of " + key.rangeText());
        }
        return chosen;
    }

    int integer(ConfigKey key) {
        return integer(key, key.defaultInt());
    }

    int integer(ConfigKey key, int fallback) {
        return read(key, key.path(), fallback);
    }

    /** A pattern key's value for {@code name}. */
    int integer(ConfigKey key, String name, int fallback) {
        return read(key, key.at(name), fallback);
    }

    private int read(ConfigKey key, String path, int fallback) {
        expect(key, Type.INTEGER);
        Object value = raw(path);
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
                throw new ConfigException(where(key, path), "'" + s + "' is not a whole number in " + key.rangeText());
            }
        } else {
            throw new ConfigException(where(key, path), "must be a whole number in " + key.rangeText());
        }
        if (n < key.min() || n > key.max()) {
            throw new ConfigException(where(key, path), n + " is outside " + key.rangeText());
        }
        return (int) n;
    }

    boolean bool(ConfigKey key) {
        return bool(key, (Boolean) key.defaultValue());
    }

    boolean bool(ConfigKey key, boolean fallback) {
        expect(key, Type.BOOLEAN);
        Object value = raw(key.path());
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "on":
                    return true;
                case "false", "0", "no", "off":
                    return false;
                default:
                    break;
            }
        }
        throw new ConfigException(where(key, key.path()), "must be true or false, not '" + value + "'");
    }
}
