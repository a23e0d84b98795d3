package io.herald.webhooks;

import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A webhook's {@code types}: event types ({@code payment:received}) and every type of a prefix ({@code order:*}; the
 * catalog's namespace name, {@code orders:*}, works too), resolved once
 * against the catalog into the types it sends, in catalog order. A pattern the catalog does not know stops the node.
 */
public final class TypeMatch {
    private TypeMatch() {
    }

    /** The catalog's types the patterns name; throws naming {@code where} when one names nothing the catalog has. */
    public static List<String> resolve(List<String> patterns, EventCatalog catalog, String where) {
        Set<String> types = new LinkedHashSet<>();
        for (String pattern : patterns) {
            if (pattern.endsWith(":*")) {
                // order:* is every type named order:…; orders:* (the catalog's namespace name) works too
                String prefix = pattern.substring(0, pattern.length() - 1);
                String namespace = pattern.substring(0, pattern.length() - 2);
                boolean any = false;
                for (String type : catalog.types()) {
                    if (type.startsWith(prefix) || catalog.namespaceOf(type).name().equals(namespace)) {
                        types.add(type);
                        any = true;
                    }
                }
                if (!any) {
                    throw new ConfigException(where, "'" + pattern + "' names no event type of the catalog");
                }
            } else if (catalog.contains(pattern)) {
                types.add(pattern);
            } else {
                throw new ConfigException(where, "'" + pattern + "' is not an event type of the catalog");
            }
        }
        return List.copyOf(new ArrayList<>(types));
    }
}
