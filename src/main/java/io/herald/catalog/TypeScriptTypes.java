package io.herald.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The TypeScript typings of Herald's browser client with the event types of a catalog: the client's
 * typings template ({@code src/main/js/herald.d.ts}, built into the jar as {@value #TEMPLATE}) with its
 * {@code // <catalog>} block replaced by one string-literal union per namespace, the namespaces' map and
 * their union {@code EventType}. Served at {@code /client/herald.d.ts} and written by {@code herald.jar types}.
 */
public final class TypeScriptTypes {
    public static final String TEMPLATE = "/client/herald.api.d.ts";
    static final String BEGIN = "// <catalog>";
    static final String END = "// </catalog>";

    private TypeScriptTypes() {
    }

    /** The typings for this catalog, from the template in the jar. */
    public static String generate(EventCatalog catalog) {
        try (InputStream in = TypeScriptTypes.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is not on the class path: build with mvn package (it runs the client's npm build)");
            }
            return generate(catalog, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String generate(EventCatalog catalog, String template) {
        int begin = template.indexOf(BEGIN);
        int end = template.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the typings template has no " + BEGIN + " … " + END + " block");
        }
        StringBuilder types = new StringBuilder(BEGIN).append('\n')
                .append("// Generated from the hub's event catalog (").append(catalog.types().size()).append(" types in ")
                .append(catalog.namespaces().size()).append(" namespaces). Regenerate when the catalog changes.\n");
        StringBuilder byNamespace = new StringBuilder("/** The event types by namespace. */\nexport interface EventTypesByNamespace {\n");
        for (Map.Entry<String, EventCatalog.Namespace> entry : catalog.namespaces().entrySet()) {
            String alias = typeName(entry.getKey()) + "EventType";
            types.append("/** Namespace ").append(entry.getKey()).append(". */\nexport type ").append(alias).append(" =");
            for (String type : entry.getValue().types()) {
                types.append("\n  | ").append(literal(type));
            }
            types.append(";\n");
            byNamespace.append("  ").append(propertyName(entry.getKey())).append(": ").append(alias).append(";\n");
        }
        types.append(byNamespace).append("}\n")
                .append("/** Every event type of the hub. */\n")
                .append("export type EventType = EventTypesByNamespace[keyof EventTypesByNamespace];\n");
        return template.substring(0, begin) + types + template.substring(end);
    }

    /** {@code orders} → {@code Orders}, {@code batch-progress} → {@code BatchProgress}: a TypeScript identifier. */
    static String typeName(String namespace) {
        StringBuilder name = new StringBuilder();
        boolean upper = true;
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            if (Character.isLetterOrDigit(c) && c < 128) {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            } else {
                upper = true;
            }
        }
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            name.insert(0, "Ns");
        }
        return name.toString();
    }

    private static String propertyName(String namespace) {
        return namespace.matches("[A-Za-z_$][A-Za-z0-9_$]*") ? namespace : literal(namespace);
    }

    private static String literal(String value) {
        StringBuilder out = new StringBuilder("'");
        for (char c : value.toCharArray()) {
            if (c == '\'' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }
}
