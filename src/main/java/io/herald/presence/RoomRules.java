package io.herald.presence;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.config.ConfigException;
import io.herald.event.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * conf/rooms.json compiled: who may join which rooms ({@code rules}, each a room pattern, the roles that
 * may join it and whether its members see each other), how many rooms one connection may be in, and which
 * roles may see who is online. A join is allowed when a rule's pattern matches the room with the joiner's
 * claims and lists the joiner's role; anything no rule allows is refused. Whether a room's members see
 * each other (presence events, the room's member list) is said by the first rule whose pattern covers it.
 *
 * <p>Every connection is also in two automatic rooms, {@code user:<sub>} and {@code role:<role>} (matched from its
 * token, never joined), and in the rooms of its token's {@code rooms} claim; those need no rule.
 */
public final class RoomRules {
    public static final String USER_ROOM_PREFIX = Target.USER_ROOM_PREFIX;
    public static final String ROLE_ROOM_PREFIX = Target.ROLE_ROOM_PREFIX;
    public static final int MAX_ROOM_LENGTH = 128;

    record Rule(RoomPattern pattern, Set<String> roles, boolean membersSeeEachOther) {
    }

    private final List<Rule> rules;
    private final int maxPerConnection;
    private final Set<String> presenceRoles;

    RoomRules(List<Rule> rules, int maxPerConnection, Set<String> presenceRoles) {
        this.rules = List.copyOf(rules);
        this.maxPerConnection = maxPerConnection;
        this.presenceRoles = Set.copyOf(presenceRoles);
    }

    public static RoomRules compile(JsonObject json, RoleMatrix roles) {
        int maxPerConnection = json.getValue("maxPerConnection", 32) instanceof Integer n && n >= 1 && n <= 10_000 ? n : -1;
        if (maxPerConnection < 0) {
            throw new ConfigException("rooms.maxPerConnection", "must be a whole number in 1..10000");
        }
        Set<String> presenceRoles = roleList(json.getValue("presenceRoles", new JsonArray()), "rooms.presenceRoles", roles);
        if (!(json.getValue("rules", new JsonArray()) instanceof JsonArray ruleList)) {
            throw new ConfigException("rooms.rules", "must be an array of {room, roles, presence}");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < ruleList.size(); i++) {
            String key = "rooms.rules[" + i + "]";
            if (!(ruleList.getValue(i) instanceof JsonObject rule)) {
                throw new ConfigException(key, "must be an object {room, roles, presence}");
            }
            if (!(rule.getValue("presence", false) instanceof Boolean presence)) {
                throw new ConfigException(key + ".presence", "must be true or false");
            }
            rules.add(new Rule(RoomPattern.parse(rule.getValue("room") instanceof String s ? s : null, key + ".room"),
                    roleList(rule.getValue("roles"), key + ".roles", roles), presence));
        }
        return new RoomRules(rules, maxPerConnection, presenceRoles);
    }

    private static Set<String> roleList(Object value, String key, RoleMatrix roles) {
        if (!(value instanceof JsonArray array)) {
            throw new ConfigException(key, "must be an array of roles");
        }
        Set<String> result = new LinkedHashSet<>();
        for (Object role : array) {
            if (!(role instanceof String name) || !roles.hasRole(name)) {
                throw new ConfigException(key, "'" + role + "' is not a role of the role matrix");
            }
            result.add(name);
        }
        return result;
    }

    /** Refuses a room name that is empty, too long, or has characters other than letters, digits and {@code :_-.@}. */
    public static String checkName(Object room) {
        if (!(room instanceof String name) || name.isEmpty() || name.length() > MAX_ROOM_LENGTH) {
            throw new HeraldException(ErrorCode.INVALID_FRAME, "send {\"room\":\"<name>\"}: a room name of 1 to " + MAX_ROOM_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = c < 128 && (Character.isLetterOrDigit(c) || c == ':' || c == '_' || c == '-' || c == '.' || c == '@');
            if (!allowed) {
                throw new HeraldException(ErrorCode.INVALID_FRAME, "room names hold letters, digits and : _ - . @ only");
            }
        }
        return name;
    }

    /** The automatic rooms of a connection: its user's (when it has one) and its role's; {@link Target} matches them from the token. */
    public static List<String> automaticRooms(Principal principal) {
        return principal.userId() == null
                ? List.of(ROLE_ROOM_PREFIX + principal.role())
                : List.of(USER_ROOM_PREFIX + principal.userId(), ROLE_ROOM_PREFIX + principal.role());
    }

    public static boolean isAutomatic(String room) {
        return room.startsWith(USER_ROOM_PREFIX) || room.startsWith(ROLE_ROOM_PREFIX);
    }

    public boolean mayJoin(Principal joiner, String room) {
        for (Rule rule : rules) {
            if (rule.roles().contains(joiner.role()) && rule.pattern().matches(room, joiner)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the members of {@code room} see each other: presence events in the room and its member list. */
    public boolean membersSeeEachOther(String room) {
        for (Rule rule : rules) {
            if (rule.pattern().covers(room)) {
                return rule.membersSeeEachOther();
            }
        }
        return false;
    }

    /** Whether {@code role} may list who is online, and any room's members. */
    public boolean maySeePresence(String role) {
        return presenceRoles.contains(role);
    }

    public int maxPerConnection() {
        return maxPerConnection;
    }
}
