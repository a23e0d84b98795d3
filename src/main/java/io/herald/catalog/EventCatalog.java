package io.herald.catalog;

import io.herald.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event types Herald knows, grouped in namespaces (conf/catalog.json). An event type is also the
 * event-bus address its events travel on. A namespace may name an {@code ownerField}: the field of
 * {@code data} that says which user an event belongs to ("own only" access).
 */
public final class EventCatalog {

    public record Namespace(String name, String ownerField, List<String> types) {
    }

    private final Map<String, Namespace> namespaces;
    private final Map<String, Namespace> namespaceByType;

    private EventCatalog(Map<String, Namespace> namespaces) {
        this.namespaces = Collections.unmodifiableMap(namespaces);
        Map<String, Namespace> byType = new LinkedHashMap<>();
        namespaces.values().forEach(ns -> ns.types().forEach(t -> byType.put(t, ns)));
        this.namespaceByType = Collections.unmodifiableMap(byType);
    }

    public static EventCatalog fromJson(JsonObject json) {
        JsonObject spaces = json.getJsonObject("namespaces");
        if (spaces == null || spaces.isEmpty()) {
            throw new ConfigException("catalog.namespaces", "must be a non-empty object");
        }
        Map<String, Namespace> result = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (String name : spaces.fieldNames()) {
            String key = "catalog.namespaces." + name;
            if (!(spaces.getValue(name) instanceof JsonObject ns)) {
                throw new ConfigException(key, "must be an object");
            }
            if (!(ns.getValue("types") instanceof JsonArray types) || types.isEmpty()) {
                throw new ConfigException(key + ".types", "must be a non-empty array of event types");
            }
            List<String> list = new java.util.ArrayList<>();
            for (Object t : types) {
                if (!(t instanceof String type) || !isValidType(type)) {
                    throw new ConfigException(key + ".types", "'" + t + "' is not an event type like 'order:created'");
                }
                String previous = seen.put(type, name);
                if (previous != null) {
                    throw new ConfigException(key + ".types", type + " is already in namespace " + previous);
                }
                list.add(type);
            }
            Object owner = ns.getValue("ownerField");
            if (owner != null && !(owner instanceof String)) {
                throw new ConfigException(key + ".ownerField", "must be a string");
            }
            result.put(name, new Namespace(name, (String) owner, List.copyOf(list)));
        }
        return new EventCatalog(result);
    }

    /** Event types are {@code namespace-ish:name}: letters, digits, '_', '-', '.', with exactly one ':'. */
    static boolean isValidType(String type) {
        int colon = type.indexOf(':');
        if (colon <= 0 || colon == type.length() - 1 || type.indexOf(':', colon + 1) >= 0 || type.length() > 128) {
            return false;
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    public boolean contains(String type) {
        return namespaceByType.containsKey(type);
    }

    /** The namespace of a type, or null for a type the catalog does not know. */
    public Namespace namespaceOf(String type) {
        return namespaceByType.get(type);
    }

    public Namespace namespace(String name) {
        return namespaces.get(name);
    }

    public Map<String, Namespace> namespaces() {
        return namespaces;
    }

    public Set<String> types() {
        return namespaceByType.keySet();
    }
}
