package io.herald.web;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The browser origins allowed to open bridge connections and call the HTTP API ({@code http.allowedOrigins}).
 * A request without an {@code Origin} header is not from a browser page and is not judged here; an empty
 * list (dev mode only) or {@code *} allows every origin. A page served by the node itself (the console) is
 * always allowed: its origin is the request's own scheme and {@code Host}.
 */
public final class Origins {
    static final String KEY = "http.allowedOrigins (" + HeraldConfig.ENV_ALLOWED_ORIGINS + ")";

    private final Set<String> allowed = new LinkedHashSet<>();
    private final boolean any;

    /** @throws ConfigException when an entry is not an origin ({@code scheme://host[:port]}, http or https) */
    public Origins(List<String> configured) {
        boolean star = false;
        for (String origin : configured) {
            if (origin.equals("*")) {
                star = true;
                continue;
            }
            String normal = normalize(origin);
            if (normal == null) {
                throw new ConfigException(KEY, "'" + origin + "' is not an origin: write scheme://host[:port], e.g. https://shop.example.com");
            }
            allowed.add(normal);
        }
        this.any = star || configured.isEmpty();
    }

    /** Every origin is allowed (no list, or {@code *}). */
    public boolean any() {
        return any;
    }

    /** The listed origins in normal form ({@code scheme://host[:port]}, lower case, no default port). */
    public Set<String> normalized() {
        return Set.copyOf(allowed);
    }

    /** The origin is on the list (or every origin is allowed). */
    public boolean listed(String origin) {
        if (any) {
            return true;
        }
        String normal = normalize(origin);
        return normal != null && allowed.contains(normal);
    }

    /**
     * Whether a request may go on: no {@code Origin} (not a browser page), a listed origin, or the node's own
     * origin ({@code scheme} is the request's, http or https, ws or wss; {@code host} and {@code port} its
     * {@code Host} header's, port -1 when the header names none).
     */
    public boolean allows(String origin, String scheme, String host, int port) {
        return origin == null || listed(origin) || sameOrigin(origin, scheme, host, port);
    }

    /** The origin is the one the request was sent to: a page of this node (the console). */
    public static boolean sameOrigin(String origin, String scheme, String host, int port) {
        if (origin == null || scheme == null || host == null || host.isEmpty()) {
            return false;
        }
        String web = switch (scheme.toLowerCase(Locale.ROOT)) {
            case "http", "ws" -> "http";
            case "https", "wss" -> "https";
            default -> null;
        };
        if (web == null) {
            return false;
        }
        String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host; // IPv6
        String normal = normalize(origin);
        String self = normalize(web + "://" + bracketed + (port >= 0 ? ":" + port : ""));
        return normal != null && normal.equals(self);
    }

    /**
     * {@code scheme://host[:port]} in lower case without the scheme's default port or a trailing slash; null
     * when the text is not an http(s) origin (a path, query, user info, or {@code null} makes it none).
     */
    static String normalize(String origin) {
        if (origin == null) {
            return null;
        }
        String text = origin.trim();
        if (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            return null;
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty()
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return null;
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
