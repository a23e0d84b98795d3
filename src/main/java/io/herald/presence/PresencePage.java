package io.herald.presence;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonObject;

/**
 * Which page of a presence answer is asked for, in the history API's words: {@code limit} users or members
 * (default and maximum {@value #MAX_LIMIT}) after {@code next} (the {@code next} of the page before, a user id;
 * none for the first page). Every page also carries the totals ({@code uniqueUsers}, {@code connections}) and
 * {@code more}, true while users follow it. The bridge's {@code herald:presence} and {@code GET /api/presence}
 * read it from the same words.
 */
public record PresencePage(int limit, String next) {
    public static final int MAX_LIMIT = 500;
    /** The longest {@code next} accepted: a user id (the token's sub) longer than this is not a page boundary. */
    public static final int MAX_NEXT_LENGTH = 1024;
    public static final String LIMIT = "limit";
    public static final String NEXT = "next";
    public static final String MORE = "more";

    public static final PresencePage FIRST = new PresencePage(MAX_LIMIT, null);

    /** From a request's {@code limit} (a number or its decimal text) and {@code next}; refuses anything else with invalid_parameter. */
    public static PresencePage of(Object limit, Object next) {
        int pageLimit = MAX_LIMIT;
        if (limit != null && !"".equals(limit)) {
            long n;
            try {
                n = limit instanceof Number number && number.doubleValue() == number.longValue() ? number.longValue()
                        : limit instanceof String text ? Long.parseLong(text.trim()) : -1;
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw new HeraldException(ErrorCode.INVALID_PARAMETER, "limit must be a whole number from 1 to " + MAX_LIMIT);
            }
            pageLimit = (int) n;
        }
        if (next != null && !(next instanceof String)) {
            throw new HeraldException(ErrorCode.INVALID_PARAMETER, "next must be the next of the page before (a string)");
        }
        String after = (String) next;
        if (after != null && after.length() > MAX_NEXT_LENGTH) {
            throw new HeraldException(ErrorCode.INVALID_PARAMETER, "next is limited to " + MAX_NEXT_LENGTH + " characters");
        }
        return new PresencePage(pageLimit, after == null || after.isEmpty() ? null : after);
    }

    /** The page as fields of a presence query on the bus. */
    public JsonObject into(JsonObject query) {
        query.put(LIMIT, limit);
        if (next != null) {
            query.put(NEXT, next);
        }
        return query;
    }

    /** The page a presence query on the bus asks for (the first, whole page when it says nothing). */
    static PresencePage from(JsonObject query) {
        Object limit = query.getValue(LIMIT);
        return new PresencePage(limit instanceof Number n ? Math.max(1, Math.min(MAX_LIMIT, n.intValue())) : MAX_LIMIT,
                query.getValue(NEXT) instanceof String s && !s.isEmpty() ? s : null);
    }

    /** Whether {@code key} (a user id, in the answer's order) comes after this page's start. */
    boolean after(String key) {
        return next == null || key.compareTo(next) > 0;
    }
}
