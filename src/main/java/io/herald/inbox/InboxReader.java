package io.herald.inbox;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.history.Inbox;
import io.herald.history.InboxBox;
import io.herald.history.InboxCursor;
import io.herald.history.InboxEntry;
import io.herald.history.InboxPage;
import io.herald.presence.PresencePage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A user's inbox as {@code herald:inbox}, {@code herald:ack} and {@code GET /api/inbox/{userId}} answer it
 * (docs/backends.md, "Per-user inbox"): a page {@code {"entries": [<envelope>…], "unread", "next"?, "more"}}, newest
 * first, in the paging words of presence and history ({@code limit} 1 to {@value PresencePage#MAX_LIMIT}, default the
 * maximum; {@code next}; {@code more}); and acknowledgements {@code {"ids": […]}} → {@code {"acked": n}}.
 */
public final class InboxReader {
    /** The most ids one acknowledgement names. */
    public static final int MAX_ACK_IDS = PresencePage.MAX_LIMIT;
    /** The longest event id an acknowledgement may name (Herald's are 36 characters). */
    public static final int MAX_ID_LENGTH = 128;
    /** The longest user id an inbox is read for. */
    public static final int MAX_USER_LENGTH = PresencePage.MAX_NEXT_LENGTH;
    public static final String ENTRIES = "entries";
    public static final String UNREAD = "unread";
    public static final String IDS = "ids";
    public static final String ACKED = "acked";

    private final Inbox inbox;
    private final io.herald.state.TargetCache targets;

    /** A reader of the node: entries' targets decoded by the cache the node's readers share. */
    public InboxReader(Inbox inbox) {
        this(inbox, io.herald.state.TargetCache.SHARED);
    }

    /** With its own cache of decoded targets (a test counts its decodes alone). */
    public InboxReader(Inbox inbox, io.herald.state.TargetCache targets) {
        this.inbox = inbox;
        this.targets = targets;
    }

    /** Where the targets of this inbox's entries are decoded. */
    public io.herald.state.TargetCache targets() {
        return targets;
    }

    /** Where the inbox is kept (the publisher files in it). */
    public Inbox inbox() {
        return inbox;
    }

    /** One page of {@code userId}'s inbox: {@code limit} and {@code next} as the client sent them (checked here), the entries {@code readable} accepts. */
    public Future<JsonObject> read(String userId, Object limit, Object next, Predicate<InboxEntry> readable) {
        checkUser(userId);
        int pageLimit = checkPage(limit, next);
        InboxCursor after = InboxCursor.parse(next);
        return inbox.entries(userId).map(entries -> {
            InboxPage page = InboxBox.page(entries, after, pageLimit, readable);
            JsonArray list = new JsonArray();
            page.entries().forEach(entry -> list.add(new JsonObject(entry.envelope())));
            JsonObject reply = new JsonObject().put(ENTRIES, list).put(UNREAD, page.unread());
            if (page.next() != null) {
                reply.put(PresencePage.NEXT, page.next().text());
            }
            return reply.put(PresencePage.MORE, page.more());
        }).recover(err -> Future.failedFuture(unavailable(err)));
    }

    /** Removes the entries of the body's {@code ids} from {@code userId}'s inbox: {@code {"acked": n}}. */
    public Future<JsonObject> ack(String userId, Object ids) {
        checkUser(userId);
        Set<String> names = ids(ids);
        if (names.isEmpty()) {
            return Future.succeededFuture(new JsonObject().put(ACKED, 0));
        }
        return inbox.ack(userId, names).map(n -> new JsonObject().put(ACKED, n)).recover(err -> Future.failedFuture(unavailable(err)));
    }

    /** Checks a page's {@code limit} and {@code next} ({@code invalid_parameter}); answers the limit. */
    public static int checkPage(Object limit, Object next) {
        int pageLimit = PresencePage.of(limit, null).limit();
        InboxCursor.parse(next);
        return pageLimit;
    }

    /** An array of at most {@value #MAX_ACK_IDS} event ids (non-empty strings of at most {@value #MAX_ID_LENGTH} characters); else invalid_parameter. */
    public static Set<String> ids(Object value) {
        if (!(value instanceof JsonArray array) || array.size() > MAX_ACK_IDS) {
            throw new HeraldException(ErrorCode.INVALID_PARAMETER, "ids must be an array of at most " + MAX_ACK_IDS + " event ids");
        }
        Set<String> result = new LinkedHashSet<>();
        for (Object id : array) {
            if (!(id instanceof String text) || text.isEmpty() || text.length() > MAX_ID_LENGTH) {
                throw new HeraldException(ErrorCode.INVALID_PARAMETER, "ids must hold event ids (strings of 1 to " + MAX_ID_LENGTH + " characters)");
            }
            result.add(text);
        }
        return result;
    }

    private static void checkUser(String userId) {
        if (userId == null || userId.isEmpty() || userId.length() > MAX_USER_LENGTH) {
            throw new HeraldException(ErrorCode.INVALID_PARAMETER, "a user id has 1 to " + MAX_USER_LENGTH + " characters");
        }
    }

    private static HeraldException unavailable(Throwable err) {
        return err instanceof HeraldException refused ? refused : new HeraldException(ErrorCode.UNAVAILABLE, "the inbox cannot be read now");
    }
}
