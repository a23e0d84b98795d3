package io.herald.config;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@link ConfigKeys} declares, as the loader checks it: which paths of herald.json and which {@code HERALD_*}
 * environment variables are known, and, for one that is not, the nearest that is.
 */
final class ConfigSchema {
    /** Where the reader is sent when no known key is close. */
    static final String SEE = "the keys are listed in docs/configuration.md";

    /**
     * Variables Kubernetes defines for a Service named {@code herald…} (service links): {@code HERALD_SERVICE_HOST},
     * {@code HERALD_PORT_8080_TCP_ADDR}, …; not ours, never an error.
     */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "HERALD(_[A-Z0-9]+)*_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT|PORT_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)");

    private ConfigSchema() {
    }

    // ---- the file ----

    /** Throws on the first path of {@code json} no key declares (or a section that is not an object). */
    static void checkFile(JsonObject json) {
        walk(json, new ArrayList<>());
    }

    private static void walk(JsonObject object, List<String> prefix) {
        for (String field : object.fieldNames()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(field);
            String dotted = String.join(".", path);
            boolean leaf = false;
            boolean inner = false;
            for (ConfigKey key : ConfigKeys.all()) {
                String[] segments = key.path().split("\\.");
                if (matches(key, segments, path)) {
                    if (segments.length == path.size()) {
                        leaf = true;
                    } else {
                        inner = true;
                    }
                }
            }
            if (leaf) {
                continue;
            }
            if (!inner) {
                throw unknownKey(dotted);
            }
            Object value = object.getValue(field);
            if (value == null) {
                continue;
            }
            if (!(value instanceof JsonObject child)) {
                throw new ConfigException(dotted, "must be an object");
            }
            walk(child, path);
        }
    }

    /** Whether {@code path} is the key's path or a beginning of it, its {@code <name>} segment matching any (allowed) name. */
    private static boolean matches(ConfigKey key, String[] segments, List<String> path) {
        if (path.size() > segments.length) {
            return false;
        }
        for (int i = 0; i < path.size(); i++) {
            String segment = segments[i];
            if (segment.startsWith("<")) {
                if (!key.names().isEmpty() && !key.names().contains(path.get(i))) {
                    return false;
                }
            } else if (!segment.equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }

    static ConfigException unknownKey(String dotted) {
        String nearest = nearestKey(dotted);
        return ConfigException.withMessage(dotted, "unknown key " + dotted
                + (nearest != null ? "; did you mean " + nearest + "?" : " (" + SEE + ")"));
    }

    /** The declared path (or beginning of one) nearest to {@code dotted}, if it is close enough to be a typo of it. */
    static String nearestKey(String dotted) {
        String[] given = dotted.split("\\.");
        Set<String> candidates = new LinkedHashSet<>();
        for (ConfigKey key : ConfigKeys.all()) {
            String[] segments = key.path().split("\\.");
            List<String> names = key.names().isEmpty() ? List.of("") : key.names();
            for (String name : names) {
                StringBuilder candidate = new StringBuilder();
                for (int i = 0; i < segments.length; i++) {
                    String segment = segments[i];
                    if (segment.startsWith("<")) {
                        segment = !name.isEmpty() ? name : i < given.length ? given[i] : segment;
                    }
                    candidate.append(i == 0 ? "" : ".").append(segment);
                    candidates.add(candidate.toString());
                }
            }
        }
        String last = given[given.length - 1];
        return nearest(dotted, candidates, Math.max(1, last.length() / 3));
    }

    // ---- the environment ----

    /** Every environment name that sets a key (aliases, derived names, a pattern key's map), and HERALD_CONF → what it sets. */
    static Map<String, String> knownEnv() {
        Map<String, String> known = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKeys.all()) {
            for (String name : key.envNames()) {
                known.putIfAbsent(name, key.isPattern() ? key.mapPath() : key.path());
            }
        }
        known.put(ConfigKeys.ENV_CONF, "the herald.json to read");
        return known;
    }

    /**
     * Throws on a {@code HERALD_*} variable that sets no key yet looks meant to: it starts as a section's keys do
     * ({@code HERALD_BRIDGE_…}) or is one letter from a known name. Others ({@code HERALD_HOME}, Kubernetes' service
     * links) are not ours to judge.
     */
    static void checkEnv(Map<String, String> env) {
        Map<String, String> known = knownEnv();
        for (String name : env.keySet()) {
            if (!name.startsWith("HERALD_") || known.containsKey(name) || SERVICE_LINK.matcher(name).matches()) {
                continue;
            }
            for (ConfigKey key : ConfigKeys.all()) {
                if (key.isPattern() && name.startsWith(key.envName() + "_")) {
                    throw ConfigException.withMessage(name, "unknown environment variable " + name + "; " + key.envName()
                            + " sets all of " + key.mapPath() + " at once, as a JSON object");
                }
            }
            String nearest = nearest(name, known.keySet(), 1);
            boolean inSection = false;
            for (String section : ConfigKeys.sections().keySet()) {
                inSection |= !section.isEmpty() && name.startsWith(ConfigKey.envNameOf(section) + "_");
            }
            if (nearest == null && inSection) {
                nearest = nearest(name, known.keySet(), Math.max(2, (name.length() - 7) / 4));
            }
            if (nearest != null || inSection) {
                throw ConfigException.withMessage(name, "unknown environment variable " + name
                        + (nearest != null ? "; did you mean " + nearest + " (" + known.get(nearest) + ")?" : " (" + SEE + ")"));
            }
        }
    }

    // ---- distance ----

    private static String nearest(String given, Iterable<String> candidates, int within) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= within ? best : null;
    }

    /** Edits (insert, delete, replace, swap two neighbours) from a to b: optimal string alignment. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
