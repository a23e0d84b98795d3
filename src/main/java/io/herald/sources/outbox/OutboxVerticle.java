package io.herald.sources.outbox;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.HeraldConfig;
import io.herald.event.EventPublisher;
import io.herald.event.Published;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The transactional outbox (docs/outbox.md). Every node runs it; only the oldest Herald node works the table (the
 * election webhooks use), checked each second and before each pass. A pass reads the lowest-id rows present
 * ({@code ORDER BY id LIMIT batch}, no cursor), publishes them in id order through {@link EventPublisher} from this
 * verticle's event loop (one group commit: per type, id order becomes seq order), each with its row's idempotency key,
 * then deletes the published rows and moves the bad ones to {@code <table>_dead}, in one transaction. Then, unless the
 * pass was full, it waits for the table's {@code NOTIFY} or {@code pollMs}.
 *
 * <p>JDBC runs on a worker executor of one thread of its own, one step at a time; the event loop only publishes and
 * decides. A row whose publish failed for a reason of the hub (history unreachable) stays in the table for the next
 * pass, after a backoff.
 */
public final class OutboxVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(OutboxVerticle.class.getName());
    /** The source's name in stats. */
    public static final String SOURCE = "outbox";
    /** How often the node checks whether it is the one that works the table. */
    static final long TICK_MS = 1000;
    /** The longest backoff after a failed connection or pass. */
    static final long MAX_BACKOFF_MS = 30_000;
    /** How often the backlog (rows waiting, oldest age) is counted while the node works the table. */
    static final long BACKLOG_MS = 2000;

    private final HeraldConfig.Outbox config;
    private final EventPublisher publisher;
    private final NodeStats stats;
    private final BooleanSupplier worker;
    private final OutboxStatus status;
    private final OutboxMapping mapping;
    private final OutboxTable table;
    private WorkerExecutor jdbc;
    /** A pass loop is running (or waiting); only one at a time. */
    private boolean running;
    private boolean stopped;
    private int failures;
    private long backlogAt;
    /**
     * The next pass publishes its rows one after the other, stopping at the first that fails: after a failed pass (what
     * failed is tried again before what follows it). Not after taking the table over: a row whose key the previous
     * worker claimed and died holding is taken over at once (that node left the cluster, which is why this one works
     * the table now) and published as the previous worker's event, found in history or appended, in the pass's order.
     */
    private boolean careful;

    public OutboxVerticle(HeraldConfig.Outbox config, int maxDataBytes, EventPublisher publisher, NodeStats stats,
                          BooleanSupplier oldestHeraldNode, OutboxStatus status) {
        this.config = config;
        this.publisher = publisher;
        this.stats = stats;
        this.worker = oldestHeraldNode;
        this.status = status;
        this.mapping = new OutboxMapping(config.table(), maxDataBytes, publisher::validate);
        this.table = new OutboxTable(config);
    }

    @Override
    public Future<?> start() {
        // one thread: the steps of a pass run one after another; a wait for NOTIFY holds it up to pollMs
        jdbc = vertx.createSharedWorkerExecutor("herald-outbox-" + deploymentID(), 1,
                Math.max(120_000, config.pollMs() * 2L), TimeUnit.MILLISECONDS);
        stats.sourceConnected(SOURCE, false);
        vertx.setPeriodic(TICK_MS, id -> tick());
        tick();
        return Future.succeededFuture();
    }

    private void tick() {
        if (!running && !stopped && worker.getAsBoolean()) {
            running = true;
            careful = false;
            LOG.info("outbox: this node is the oldest Herald node and works the table " + config.table());
            pass();
        }
    }

    /** One pass: read, publish, finish; then the next one at once (a full batch), after a wait, or after a backoff. */
    private void pass() {
        if (stopped || !worker.getAsBoolean()) {
            standDown();
            return;
        }
        if (!table.isOpen()) {
            status.state(OutboxStatus.State.CONNECTING, null);
        }
        blocking(() -> {
            table.open();
            return table.read(config.batch());
        }).onSuccess(rows -> {
            status.state(OutboxStatus.State.CONNECTED, null);
            stats.sourceConnected(SOURCE, true);
            if (rows.isEmpty()) {
                failures = 0;
                status.passed(System.currentTimeMillis());
                backlogThenWait(true);
                return;
            }
            stats.sourceConsumed(SOURCE, rows.size());
            publish(rows).onComplete(done -> {
                Outcome outcome = done.result();
                blocking(() -> {
                    table.finish(outcome.published, outcome.dead);
                    return null;
                }).onSuccess(v -> {
                    stats.sourceAppended(SOURCE, outcome.appended);
                    stats.sourceDeadLettered(SOURCE, outcome.dead.size());
                    status.passed(System.currentTimeMillis());
                    if (outcome.failed > 0) {
                        careful = true;
                        failed(outcome.failed + " rows were not published (" + outcome.failure + "); they stay in the table");
                    } else if (rows.size() >= config.batch()) {
                        careful = false;
                        failures = 0;
                        backlogThenWait(false);
                    } else {
                        careful = false;
                        failures = 0;
                        backlogThenWait(true);
                    }
                }).onFailure(err -> disconnected(err));
            });
        }).onFailure(this::disconnected);
    }

    /** What a pass's publishes came to: rows to delete, rows to move to the dead table, rows to try again. */
    private static final class Outcome {
        final List<Long> published = new ArrayList<>();
        final Map<Long, String> dead = new LinkedHashMap<>();
        int appended;
        int failed;
        String failure;
    }

    /**
     * Publishes the rows in id order: all within this turn of the event loop (one group commit per type), or, when
     * {@link #careful}, one after the other, stopping at the first failure (the rows after it are not published: they
     * stay for the next pass).
     */
    private Future<Outcome> publish(List<OutboxRow> rows) {
        Outcome outcome = new Outcome();
        List<OutboxMapping.Mapped> mapped = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            OutboxMapping.Mapped m = mapping.map(row);
            if (m.bad()) {
                outcome.dead.put(m.id(), m.error());
            } else {
                mapped.add(m);
            }
        }
        List<Future<Published>> all = new ArrayList<>(mapped.size());
        Future<Void> done;
        if (careful) {
            Future<Void> chain = Future.succeededFuture();
            for (OutboxMapping.Mapped m : mapped) {
                chain = chain.compose(v -> {
                    Future<Published> f = publisher.publish(m.request(), m.key());
                    all.add(f);
                    // a refused row (it goes to the dead table) does not stop the others; a failure of the hub does
                    return f.transform(ar -> ar.succeeded() || isRefusal(ar.cause()) ? Future.succeededFuture()
                            : Future.<Void>failedFuture(ar.cause()));
                });
            }
            done = chain.otherwiseEmpty();
        } else {
            for (OutboxMapping.Mapped m : mapped) {
                all.add(publisher.publish(m.request(), m.key()));
            }
            done = Future.join(all).mapEmpty();
        }
        return done.transform(v -> {
            outcome.failed += mapped.size() - all.size(); // not tried after a failure
            for (int i = 0; i < all.size(); i++) {
                Future<Published> f = all.get(i);
                long id = mapped.get(i).id();
                if (f.succeeded()) {
                    outcome.published.add(id);
                    if (!f.result().replayed()) {
                        outcome.appended++;
                    }
                } else if (isRefusal(f.cause())) {
                    HeraldException refused = (HeraldException) f.cause();
                    outcome.dead.put(id, refused.code().id() + ": " + refused.getMessage()); // idempotency_conflict, …
                } else {
                    outcome.failed++;
                    outcome.failure = String.valueOf(f.cause().getMessage());
                }
            }
            return Future.succeededFuture(outcome);
        });
    }

    /** The row itself is refused (unknown type, an idempotency conflict, …), not the hub unable (history unreachable). */
    private static boolean isRefusal(Throwable failure) {
        return failure instanceof HeraldException refused && refused.code() != ErrorCode.UNAVAILABLE;
    }

    /** Counts the backlog now and then; then waits for NOTIFY (up to pollMs) if {@code wait}, or passes again at once. */
    private void backlogThenWait(boolean wait) {
        long now = System.currentTimeMillis();
        boolean count = now - backlogAt >= BACKLOG_MS;
        blocking(() -> {
            long[] backlog = count ? table.backlog() : null;
            if (wait) {
                table.awaitNotification(config.pollMs()); // woken or not: the next pass reads the table either way
            }
            return backlog;
        }).onSuccess(backlog -> {
            if (backlog != null) {
                backlogAt = now;
                status.backlog(backlog[0], backlog[1]);
                stats.sourceLag(SOURCE, backlog[0], backlog[1]);
            }
            pass();
        }).onFailure(this::disconnected);
    }

    private void disconnected(Throwable err) {
        if (stopped) {
            return; // the verticle's stop closed the connection under a step
        }
        blocking(() -> {
            table.close(); // on the outbox's thread, before its next step
            return null;
        });
        stats.sourceConnected(SOURCE, false);
        String reason = err.getClass().getSimpleName() + ": " + err.getMessage();
        status.state(OutboxStatus.State.DISCONNECTED, reason);
        failed("the database is not reachable (" + reason + ")");
    }

    /** Backs off (pollMs doubling to 30 s) and passes again. */
    private void failed(String why) {
        long delay = Math.min(MAX_BACKOFF_MS, Math.max(100, config.pollMs()) << Math.min(failures++, 8));
        if (failures <= 3 || failures % 20 == 0) {
            LOG.warning("outbox: " + why + "; again in " + delay + " ms");
        }
        vertx.setTimer(delay, id -> pass());
    }

    private void standDown() {
        running = false;
        if (stopped) {
            return;
        }
        LOG.info("outbox: this node is no longer the oldest Herald node; another one works the table");
        blocking(() -> {
            table.close();
            return null;
        });
        stats.sourceConnected(SOURCE, false);
        stats.sourceLag(SOURCE, 0, 0);
        status.state(OutboxStatus.State.STANDBY, null);
        status.backlog(-1, -1);
    }

    private <T> Future<T> blocking(java.util.concurrent.Callable<T> step) {
        return jdbc.executeBlocking(step, true);
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        // closed from a thread of Vert.x's worker pool (the outbox's own may be waiting for NOTIFY: that wait fails at once)
        return vertx.executeBlocking(() -> {
            table.close();
            return null;
        }, false).eventually(() -> jdbc == null ? Future.succeededFuture() : jdbc.close());
    }
}
