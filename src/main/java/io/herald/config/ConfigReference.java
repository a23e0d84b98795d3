package io.herald.config;

import java.util.List;
import java.util.Map;

/**
 * {@code docs/configuration.md}, written from {@link ConfigKeys}: a table per section. {@code ConfigReferenceTest}
 * fails when the committed page differs, and rewrites it when run with {@code -Dherald.regenerate=true}.
 */
public final class ConfigReference {
    public static final String PATH = "docs/configuration.md";

    private ConfigReference() {
    }

    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("""
                # Configuration

                <!-- Generated from src/main/java/io/herald/config/ConfigKeys.java by ConfigReferenceTest: do not edit.
                     After changing a key there: mvn -B -o test -Dtest=ConfigReferenceTest -Dherald.regenerate=true -->

                This page is generated from the one table that declares every key (`ConfigKeys`); the loader reads and
                validates from the same table, and a test fails when this page is stale.

                **Where it comes from.** `conf/herald.json` in the working directory (another file with `HERALD_CONF`),
                plus the catalog, roles and rooms files it names. Relative paths in it resolve against its own folder.
                The jar carries a copy of the shipped `conf/` and `cluster.xml`: started where there is no
                `conf/herald.json`, it runs on those; a `conf/` folder overrides them file by file (a default-named file
                the folder lacks is the built-in one; a file `herald.json` names explicitly must exist).

                **The environment.** Every key can be set as `HERALD_` plus the key in upper snake case
                (`bridge.maxFrameBytes` → `HERALD_BRIDGE_MAX_FRAME_BYTES`); where a key also has a short name
                (`HERALD_CLUSTER`, `HERALD_JWT_SECRET`, …), listed first in the env column, the short name wins. The
                environment wins over the file. A list of strings is comma-separated (`HERALD_ALLOWED_ORIGINS=https://a.example,https://b.example`);
                a map of a pattern key (`limits.framesPerMinuteByRole.<role>`) is set whole, as one JSON object
                (`HERALD_LIMITS_FRAMES_PER_MINUTE_BY_ROLE={"admin":600}`), replacing the file's; a list of objects
                would be JSON too. A file path from the environment is relative to the working directory.

                **Validation.** The node checks everything at start and stops with a message naming the key:
                an unknown key names the nearest known one (`unknown key limits.framesPerMinut; did you mean
                limits.framesPerMinute?`), a value of the wrong type or out of range names the key, the variable that
                set it and the range (`http.port (HERALD_HTTP_PORT): 70000 is outside 0..65535`). A `HERALD_*`
                variable that sets no key is an error when it starts like a section's variables (`HERALD_BRIDGE_…`) or
                is one letter from a known name; others (`HERALD_HOME`, the `HERALD_SERVICE_HOST`, `HERALD_PORT_…`
                variables Kubernetes defines for a Service named `herald`) are left alone. Beware a Service named
                `herald-http` or `herald-cluster`: Kubernetes then sets `HERALD_HTTP_PORT` or `HERALD_CLUSTER_PORT` to
                `tcp://…`; name it otherwise or set `enableServiceLinks: false`.

                **`null` and the shipped file.** `null` in the file means "not set": the default applies.
                `conf/herald.json` lists every key but the pattern keys, at its default (`null` where the default
                depends on the mode or is nothing); a test keeps it so. Where it ships another value, the key's doc says
                so and why (the development JWT secret and API key, which prod refuses; example per-role and
                per-namespace values).

                **prod.** `prod` mode refuses to start without the keys marked *yes* in the prod-required column (set to
                something other than the shipped development values), with a JWT secret under 32 bytes or an API key
                under 32 characters.

                Environment-only: `HERALD_CONF`, the herald.json to read (default `conf/herald.json`).
                """);
        Map<String, String> sections = ConfigKeys.sections();
        for (Map.Entry<String, String> section : sections.entrySet()) {
            md.append("\n## ").append(section.getKey().isEmpty() ? "Top level" : "`" + section.getKey() + "`").append("\n\n");
            md.append(section.getValue()).append("\n\n");
            md.append("| key | env | type | default | range | doc | prod-required |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (ConfigKey key : ConfigKeys.all()) {
                if (!key.section().equals(section.getKey())) {
                    continue;
                }
                md.append("| `").append(key.path()).append("` | ")
                        .append(env(key)).append(" | ")
                        .append(key.typeLabel()).append(" | ")
                        .append(defaultText(key)).append(" | ")
                        .append(range(key)).append(" | ")
                        .append(cell(key.doc() + (key.shipped() != null ? ". Shipped conf/herald.json: " + key.shipped() : ""))).append(" | ")
                        .append(key.prodRequired() ? "yes" : "").append(" |\n");
            }
        }
        return md.toString();
    }

    private static String env(ConfigKey key) {
        StringBuilder cell = new StringBuilder();
        for (String name : key.envNames()) {
            cell.append(cell.length() == 0 ? "" : ", ").append('`').append(name).append('`');
        }
        return key.isPattern() ? cell + " (all of `" + key.mapPath() + "`, JSON)" : cell.toString();
    }

    private static String defaultText(ConfigKey key) {
        if (key.defaultText() != null) {
            return cell(key.defaultText());
        }
        Object value = key.defaultValue();
        if (value == null) {
            return "none";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "`[]`" : "`" + String.join(",", list.stream().map(String::valueOf).toList()) + "`";
        }
        return "`" + value + "`";
    }

    private static String range(ConfigKey key) {
        String range = key.rangeText();
        if (!key.names().isEmpty()) {
            String segment = key.path().substring(key.path().indexOf('<'), key.path().indexOf('>') + 1);
            return "`" + segment + "`: " + String.join(", ", key.names()) + "; " + range;
        }
        return range;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
