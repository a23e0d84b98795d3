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

    /**
     * A type's keyed state ({@code "options": {"<type>": {"state": {"key", "maxKeys"}}}} of its namespace): the field of
     * {@code data} that names an entry, and how many entries the cluster keeps at most (docs/state.md).
     */
    public record StateOptions(String key, int maxKeys) {
        public static final int DEFAULT_MAX_KEYS = 100_000;
        public static final int MAX_MAX_KEYS = 10_000_000;
    }

    private final Map<String, Namespace> namespaces;
    private final Map<String, Namespace> namespaceByType;
    private final Map<String, StateOptions> stateByType;
    /** The types kept in the per-user inbox ({@code "inbox": true}). */
    private final Set<String> inboxTypes;

    private EventCatalog(Map<String, Namespace> namespaces) {
        this(namespaces, Map.of());
    }

    private EventCatalog(Map<String, Namespace> namespaces, Map<String, StateOptions> stateByType) {
        this(namespaces, stateByType, Set.of());
    }

    private EventCatalog(Map<String, Namespace> namespaces, Map<String, StateOptions> stateByType, Set<String> inboxTypes) {
        this.inboxTypes = Set.copyOf(inboxTypes);
        this.stateByType = Map.copyOf(stateByType);
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
        Map<String, StateOptions> state = new LinkedHashMap<>();
        Set<String> inbox = new java.util.LinkedHashSet<>();
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
            state.putAll(stateOptions(key + ".options", ns.getValue("options"), list));
            inbox.addAll(inboxOptions(key + ".options", ns.getValue("options")));
        }
        return new EventCatalog(result, state, inbox);
    }

    /** A namespace's {@code options}: per type of the namespace; this release reads {@code state}, and leaves other options alone. */
    private static Map<String, StateOptions> stateOptions(String key, Object value, List<String> types) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject options)) {
            throw new ConfigException(key, "must be an object of event types of the namespace");
        }
        Map<String, StateOptions> result = new LinkedHashMap<>();
        for (String type : options.fieldNames()) {
            if (!types.contains(type)) {
                throw new ConfigException(key + "." + type, "is not a type of this namespace");
            }
            if (!(options.getValue(type) instanceof JsonObject typeOptions)) {
                throw new ConfigException(key + "." + type, "must be an object");
            }
            Object state = typeOptions.getValue("state");
            if (state == null) {
                continue;
            }
            String at = key + "." + type + ".state";
            if (!(state instanceof JsonObject stateJson)) {
                throw new ConfigException(at, "must be an object {\"key\": \"<data field>\", \"maxKeys\": <n>}");
            }
            if (!(stateJson.getValue("key") instanceof String field) || field.isEmpty() || field.length() > 128) {
                throw new ConfigException(at + ".key", "must name a field of the events' data (1 to 128 characters)");
            }
            Object max = stateJson.getValue("maxKeys", StateOptions.DEFAULT_MAX_KEYS);
            if (!(max instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1 || n.longValue() > StateOptions.MAX_MAX_KEYS) {
                throw new ConfigException(at + ".maxKeys", "must be a whole number from 1 to " + StateOptions.MAX_MAX_KEYS);
            }
            result.put(type, new StateOptions(field, n.intValue()));
        }
        return result;
    }

    /**
     * A namespace's types with {@code "inbox": true} in its {@code options} (the per-user inbox, docs/backends.md); the
     * options' shape is checked by {@link #stateOptions} first.
     */
    private static Set<String> inboxOptions(String key, Object value) {
        if (!(value instanceof JsonObject options)) {
            return Set.of();
        }
        Set<String> result = new java.util.LinkedHashSet<>();
        for (String type : options.fieldNames()) {
            Object inbox = options.getJsonObject(type).getValue("inbox");
            if (inbox == null) {
                continue;
            }
            if (!(inbox instanceof Boolean on)) {
                throw new ConfigException(key + "." + type + ".inbox", "must be true or false");
            }
            if (on) {
                result.add(type);
            }
        }
        return result;
    }

    /** Whether the type's events are kept in the per-user inbox of the users they are aimed at. */
    public boolean inbox(String type) {
        return inboxTypes.contains(type);
    }

    /** The types kept in the per-user inbox. */
    public Set<String> inboxTypes() {
        return inboxTypes;
    }

    /** The type's keyed state, or null for a type that keeps none. */
    public StateOptions state(String type) {
        return stateByType.get(type);
    }

    /** The types that keep state, with their options. */
    public Map<String, StateOptions> stateTypes() {
        return stateByType;
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
