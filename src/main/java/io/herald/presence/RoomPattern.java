package io.herald.presence;

import io.herald.auth.Principal;
import io.herald.config.ConfigException;

import java.util.ArrayList;
import java.util.List;

/**
 * A room pattern of conf/rooms.json: literal text, {@code *} (any text, at least one character) and
 * {@code {claim}} (the value of the joiner's token claim {@code sub}, {@code role} or {@code storeId}).
 * {@code store:{storeId}} lets a user join their own store's room only; {@code chat:*} any chat room.
 * Matched without regular expressions: joins are rare, but a claim must never be read as a pattern.
 */
final class RoomPattern {
    static final List<String> CLAIMS = List.of("sub", "role", "storeId");
    /** Each wildcard multiplies the ways a name can be tried against the pattern: a handful is all a rule needs. */
    static final int MAX_WILDCARDS = 4;

    private sealed interface Part permits Literal, Wildcard, Claim {
    }

    private record Literal(String text) implements Part {
    }

    private record Wildcard() implements Part {
    }

    private record Claim(String name) implements Part {
    }

    private final String source;
    private final List<Part> parts;

    private RoomPattern(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    static RoomPattern parse(String pattern, String key) {
        if (pattern == null || pattern.isEmpty()) {
            throw new ConfigException(key, "must be a non-empty room pattern");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '{') {
                if (!literal.isEmpty()) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                if (c == '*') {
                    parts.add(new Wildcard());
                    continue;
                }
                int end = pattern.indexOf('}', i);
                String claim = end < 0 ? "" : pattern.substring(i + 1, end);
                if (!CLAIMS.contains(claim)) {
                    throw new ConfigException(key, "'" + pattern + "': a {claim} must be one of " + CLAIMS);
                }
                parts.add(new Claim(claim));
                i = end;
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
        }
        if (parts.stream().filter(part -> !(part instanceof Literal)).count() > MAX_WILDCARDS) {
            throw new ConfigException(key, "'" + pattern + "' has more than " + MAX_WILDCARDS + " wildcards and claims");
        }
        return new RoomPattern(pattern, List.copyOf(parts));
    }

    /** Whether {@code room} is this pattern with the joiner's claims filled in; a claim the token lacks matches nothing. */
    boolean matches(String room, Principal joiner) {
        return matchFrom(room, 0, 0, joiner);
    }

    /** Whether {@code room} is of this pattern's family, whoever joins it ({@code {claim}} then matches like {@code *}). */
    boolean covers(String room) {
        return matchFrom(room, 0, 0, null);
    }

    private boolean matchFrom(String room, int at, int part, Principal joiner) {
        if (part == parts.size()) {
            return at == room.length();
        }
        Part next = parts.get(part);
        if (next instanceof Literal literal) {
            return room.startsWith(literal.text(), at) && matchFrom(room, at + literal.text().length(), part + 1, joiner);
        }
        if (next instanceof Claim claim && joiner != null) {
            String value = claimValue(claim.name(), joiner);
            return value != null && !value.isEmpty() && room.startsWith(value, at) && matchFrom(room, at + value.length(), part + 1, joiner);
        }
        for (int end = at + 1; end <= room.length(); end++) {
            if (matchFrom(room, end, part + 1, joiner)) {
                return true;
            }
        }
        return false;
    }

    private static String claimValue(String claim, Principal principal) {
        return switch (claim) {
            case "sub" -> principal.userId();
            case "role" -> principal.role();
            case "storeId" -> principal.storeId();
            default -> null;
        };
    }

    @Override
    public String toString() {
        return source;
    }
}
