package io.herald.presence;

import io.herald.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * conf/presence.json compiled: which role's first connection anywhere in the cluster announces which event, and
 * which its last one announces, with the user id under {@code userField} and the named token claims in the
 * event's data ({@code since} too, on the online event). Shipped:
 * {@code {"announce":[{"role":"customer","online":"customer:online","offline":"customer:offline","userField":"customerId","claims":["storeId"]}]}}.
 *
 * <p>Validated at start: an entry naming an event type the catalog lacks, a role the role matrix lacks or a claim
 * a token does not carry is an error naming the file and the entry. The built-in copy (no file on disk) is lenient
 * about event types alone, as Herald always was: an announcement whose type the catalog lacks is not published.
 */
public final class PresenceAnnouncements {
    /** The token claims presence keeps per user, and so may put in an announcement (besides the user id). */
    public static final Set<String> CLAIMS = Set.of("storeId");
    static final Set<String> FIELDS = Set.of("role", "online", "offline", "userField", "claims");

    /** One role's announcements; {@code online} or {@code offline} null: that one is not announced. */
    public record Entry(String role, String online, String offline, String userField, List<String> claims) {
        /** The data of an announcement of {@code userId} (with its claims; {@code since} on the online event). */
        public JsonObject data(String userId, Map<String, String> claimValues, Long since) {
            JsonObject data = new JsonObject().put(userField, userId);
            for (String claim : claims) {
                data.put(claim, claimValues.get(claim));
            }
            if (since != null) {
                data.put("since", since);
            }
            return data;
        }
    }

    private final Map<String, Entry> byRole;

    PresenceAnnouncements(Map<String, Entry> byRole) {
        this.byRole = Map.copyOf(byRole);
    }

    /** Nothing announced. */
    public static PresenceAnnouncements none() {
        return new PresenceAnnouncements(Map.of());
    }

    /**
     * Reads {@code json} (from {@code source}, named in errors); {@code knownType} and {@code knownRole} say what the
     * catalog and the role matrix hold; {@code strictTypes} false (the built-in copy): an unknown type is dropped.
     */
    public static PresenceAnnouncements parse(JsonObject json, String source, Predicate<String> knownType, Predicate<String> knownRole,
                                              boolean strictTypes) {
        for (String field : json.fieldNames()) {
            if (!field.equals("announce")) {
                throw new ConfigException(source, "unknown field '" + field + "' (known: announce)");
            }
        }
        if (!(json.getValue("announce", new JsonArray()) instanceof JsonArray list)) {
            throw new ConfigException(source + " announce", "must be an array of {role, online, offline, userField, claims}");
        }
        Map<String, Entry> byRole = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String key = source + " announce[" + i + "]";
            if (!(list.getValue(i) instanceof JsonObject entry)) {
                throw new ConfigException(key, "must be an object {role, online, offline, userField, claims}");
            }
            for (String field : entry.fieldNames()) {
                if (!FIELDS.contains(field)) {
                    throw new ConfigException(key, "unknown field '" + field + "' (known: role, online, offline, userField, claims)");
                }
            }
            if (!(entry.getValue("role") instanceof String role) || !knownRole.test(role)) {
                throw new ConfigException(key + ".role", "'" + entry.getValue("role") + "' is not a role of the role matrix");
            }
            if (byRole.containsKey(role)) {
                throw new ConfigException(key + ".role", "role " + role + " is announced by an earlier entry already");
            }
            String online = eventType(entry, "online", key, knownType, strictTypes);
            String offline = eventType(entry, "offline", key, knownType, strictTypes);
            if (!entry.containsKey("online") && !entry.containsKey("offline")) {
                throw new ConfigException(key, "names neither an online nor an offline event type");
            }
            if (!(entry.getValue("userField", "userId") instanceof String userField) || userField.isEmpty()) {
                throw new ConfigException(key + ".userField", "must be the name of the data field for the user id, e.g. \"customerId\"");
            }
            if (!(entry.getValue("claims", new JsonArray()) instanceof JsonArray claimList)) {
                throw new ConfigException(key + ".claims", "must be an array of token claims, e.g. [\"storeId\"]");
            }
            List<String> claims = new ArrayList<>();
            for (Object claim : claimList) {
                if (!(claim instanceof String name) || !CLAIMS.contains(name)) {
                    throw new ConfigException(key + ".claims", "'" + claim + "' is not a claim presence keeps (known: " + String.join(", ", CLAIMS) + ")");
                }
                if (name.equals(userField) || name.equals("since")) {
                    throw new ConfigException(key + ".claims", "'" + name + "' would overwrite the " + (name.equals("since") ? "since" : "userField") + " field");
                }
                claims.add(name);
            }
            if (online != null || offline != null) {
                byRole.put(role, new Entry(role, online, offline, userField, List.copyOf(claims)));
            }
        }
        return new PresenceAnnouncements(byRole);
    }

    private static String eventType(JsonObject entry, String field, String key, Predicate<String> knownType, boolean strict) {
        Object value = entry.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String type) || !knownType.test(type)) {
            if (strict || !(value instanceof String)) {
                throw new ConfigException(key + "." + field, "'" + value + "' is not an event type of the catalog");
            }
            return null;
        }
        return type;
    }

    /** What {@code role}'s first and last connections announce, or null. */
    public Entry forRole(String role) {
        return role == null ? null : byRole.get(role);
    }

    public Map<String, Entry> entries() {
        return byRole;
    }
}
