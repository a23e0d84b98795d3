package io.herald.webhooks;

import io.herald.event.EventRecord;
import io.herald.history.EventLog;
import io.herald.history.HistoryPage;
import io.herald.log.LogLimiter;
import io.herald.stats.NodeStats;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.logging.Logger;

/**
 * One webhook on one event type, on the node that sends it: reads the stream from history after the lane's position,
 * POSTs each event in {@code seq} order, one at a time, and moves the position (kept in the {@link WebhookStore})
 * after each 2xx. A failed attempt waits its {@link Backoff} and reads history again, so that an event history dropped
 * meanwhile becomes a recorded gap and sending resumes at the oldest kept event. Caught up, it waits for
 * {@link #wake()} (a new event on the bus, or the verticle's periodic tick). Runs on its verticle's event loop;
 * nothing in it blocks.
 */
final class WebhookLane {
    private static final Logger LOG = Logger.getLogger(WebhookLane.class.getName());
    private static final LogLimiter NOTABLE = new LogLimiter(LOG);
    /** Events read from history at once. */
    static final int PAGE = 100;

    private enum Phase { IDLE, BUSY, WAITING, STOPPED }

    private final Vertx vertx;
    private final EventLog log;
    private final WebhookStore store;
    private final WebhookSender sender;
    private final Backoff backoff;
    private final NodeStats stats;
    private final String webhookId;
    private final String type;
    private final String key;
    private final String nodeId;
    private LaneState state;
    private Phase phase = Phase.IDLE;
    private long timer = -1;

    WebhookLane(Vertx vertx, EventLog log, WebhookStore store, WebhookSender sender, Backoff backoff, NodeStats stats,
                String webhookId, String type, String nodeId) {
        this.vertx = vertx;
        this.log = log;
        this.store = store;
        this.sender = sender;
        this.backoff = backoff;
        this.stats = stats;
        this.webhookId = webhookId;
        this.type = type;
        this.key = WebhookStore.key(webhookId, type);
        this.nodeId = nodeId;
    }

    /** Loads the kept position (none: a new lane, which starts after the stream's tail) and starts sending. */
    void start() {
        phase = Phase.BUSY;
        store.load(key).onComplete(loaded -> {
            if (phase == Phase.STOPPED) {
                return;
            }
            if (loaded.failed()) {
                NOTABLE.warning("load:" + key, "webhook " + webhookId + " (" + type + "): its position could not be read ("
                        + loaded.cause().getMessage() + "); trying again");
                retryLater(backoff.firstMs(), this::start);
                return;
            }
            state = loaded.result() == null ? new LaneState() : LaneState.fromJson(loaded.result());
            state.sentBy(nodeId);
            if (state.epoch() != null) {
                save(); // the API names the sender from now on (a takeover)
            }
            run();
        });
    }

    /** New events may be in history: read on if caught up. */
    void wake() {
        if (phase == Phase.IDLE && state != null) {
            run();
        }
    }

    void stop() {
        phase = Phase.STOPPED;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void run() {
        if (phase == Phase.STOPPED) {
            return;
        }
        phase = Phase.BUSY;
        if (!log.confirmed()) {
            retryLater(backoff.firstMs(), this::run); // history in doubt on this node: nothing is read from it
            return;
        }
        long from = state.next();
        log.read(type, from, PAGE).onComplete(read -> {
            if (phase == Phase.STOPPED) {
                return;
            }
            if (read.failed()) {
                NOTABLE.warning("read:" + key, "webhook " + webhookId + ": history of " + type + " could not be read ("
                        + read.cause().getMessage() + "); trying again");
                retryLater(backoff.firstMs(), this::run);
                return;
            }
            HistoryPage page = read.result();
            LaneState.Step step = state.align(page.position(), System.currentTimeMillis());
            if (step != LaneState.Step.READ) {
                if (step == LaneState.Step.TRIMMED) {
                    stats.webhookEventsLost(webhookId, state.lastGapLost());
                    LOG.warning("webhook " + webhookId + " missed " + state.lastGapLost() + " events of " + type
                            + ": history no longer held them; sending resumes at the oldest kept event, seq " + state.next());
                } else if (step == LaneState.Step.RESTARTED) {
                    LOG.warning("webhook " + webhookId + ": the stream of " + type + " restarted (epoch " + page.position().epoch()
                            + "): a gap is recorded; sending goes on from the new stream's first event");
                }
                save().onComplete(saved -> run());
                return;
            }
            sendFrom(page, 0);
        });
    }

    /** Sends the page's events from {@code index} on, each after the one before was accepted and its position kept. */
    private void sendFrom(HistoryPage page, int index) {
        if (phase == Phase.STOPPED) {
            return;
        }
        if (index >= page.events().size()) {
            if (page.events().isEmpty()) {
                phase = Phase.IDLE;
            } else {
                run(); // the next page, or idle when caught up
            }
            return;
        }
        HistoryPage.Stored stored = page.events().get(index);
        if (stored.seq() != state.next()) {
            run(); // not the next one (the page began past a gap): align again
            return;
        }
        EventRecord record;
        try {
            record = EventRecord.decode(stored.record());
        } catch (RuntimeException e) {
            NOTABLE.warning("record:" + key, "webhook " + webhookId + ": event " + stored.seq() + " of " + type
                    + " could not be read from history and is skipped: " + e.getMessage());
            state.delivered(stored.seq());
            save().onComplete(saved -> sendFrom(page, index + 1));
            return;
        }
        JsonObject envelope = record.envelope(type, stored.seq(), page.position().epoch());
        if (state.failures() > 0) {
            stats.webhookRetried(webhookId);
        }
        sender.send(record.id(), envelope.toBuffer()).onComplete(sent -> {
            if (phase == Phase.STOPPED) {
                return;
            }
            if (sent.succeeded()) {
                stats.webhookDelivered(webhookId);
                state.delivered(stored.seq());
                save().onComplete(saved -> sendFrom(page, index + 1));
            } else {
                stats.webhookFailed(webhookId);
                state.failed(stored.seq(), sent.cause().getMessage(), System.currentTimeMillis());
                long delay = backoff.delayMs(state.failures());
                NOTABLE.warning("failed:" + key, "webhook " + webhookId + " refused or missed event " + stored.seq() + " of " + type
                        + " (" + sent.cause().getMessage() + "); attempt " + state.failures() + ", next in " + delay + " ms");
                save();
                // read history again then: an event it dropped meanwhile is a gap, not an endless retry
                retryLater(delay, this::run);
            }
        });
    }

    private io.vertx.core.Future<Void> save() {
        return store.save(key, state.toJson()).onFailure(err -> NOTABLE.warning("save:" + key, "webhook " + webhookId
                + ": its position on " + type + " could not be kept (" + err.getMessage() + "); a takeover may send again from an older one"));
    }

    private void retryLater(long delayMs, Runnable then) {
        phase = Phase.WAITING;
        timer = vertx.setTimer(delayMs, id -> {
            timer = -1;
            if (phase != Phase.STOPPED) {
                then.run();
            }
        });
    }
}
