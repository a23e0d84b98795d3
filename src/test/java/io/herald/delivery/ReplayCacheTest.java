package io.herald.delivery;

import io.herald.event.BusEvent;
import io.herald.history.HistoryPage;
import io.herald.history.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history shared by one stream's replays, without Vert.x or Hazelcast: a history whose reads the test answers
 * by hand (so reads on their way can be joined), counting reads, decodes and frames.
 */
class ReplayCacheTest {
    static final String EPOCH = "e1";

    /** History holding seqs head..tail, each record {@code size} characters; reads wait for {@link #answerAll()}. */
    static final class ManualHistory implements ReplayCache.Source {
        long head = 1;
        long tail;
        final int size;
        String epoch = EPOCH;
        final List<long[]> reads = new ArrayList<>();
        private final List<Runnable> waiting = new ArrayList<>();
        int decodes;
        int frames;
        /** Most records one read answers (history's own bound). */
        int perRead = Integer.MAX_VALUE;

        ManualHistory(long tail, int size) {
            this.tail = tail;
            this.size = size;
        }

        @Override
        public Future<HistoryPage> read(long fromSeq, int limit) {
            reads.add(new long[] {fromSeq, limit});
            Promise<HistoryPage> answer = Promise.promise();
            waiting.add(() -> {
                List<HistoryPage.Stored> events = new ArrayList<>();
                for (long seq = Math.max(fromSeq, head); seq <= tail && events.size() < Math.min(limit, perRead); seq++) {
                    events.add(new HistoryPage.Stored(seq, "r".repeat(size - 1) + (seq % 10)));
                }
                answer.complete(new HistoryPage(new StreamPosition(epoch, head, tail), events));
            });
            return answer.future();
        }

        void answerAll() {
            List<Runnable> now = new ArrayList<>(waiting);
            waiting.clear();
            now.forEach(Runnable::run);
        }

        void failAll() {
            waiting.clear();
        }

        @Override
        public BusEvent decode(HistoryPage.Stored stored) {
            decodes++;
            return new BusEvent(stored.seq(), 0, stored.record(), null, null);
        }

        @Override
        public String frameText(BusEvent event) {
            frames++;
            return "{\"type\":\"rec\",\"body\":" + event.envelope() + "}";
        }
    }

    static List<Long> seqs(Future<HistoryPage> page) {
        assertTrue(page.succeeded(), "answered: " + page.cause());
        return page.result().events().stream().map(HistoryPage.Stored::seq).toList();
    }

    static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void aThousandReplaysOfTheSameGapReadHistoryOnceAndDecodeAndFrameEachEventOnce() {
        ManualHistory history = new ManualHistory(150, 300);
        ReplayCache cache = new ReplayCache(history, 256 * 1024);
        List<Future<HistoryPage>> firsts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            firsts.add(cache.read(EPOCH, 101, 4, 150));
        }
        assertEquals(1, history.reads.size(), "the replays that come while a read is on its way wait for it");
        history.answerAll();
        for (Future<HistoryPage> first : firsts) {
            assertEquals(range(101, 104), seqs(first));
        }
        // the first replay's second page goes to history (what a record weighs is now known), for the rest of the gap
        Future<HistoryPage> leader = cache.read(EPOCH, 105, 46, 150);
        history.answerAll();
        assertEquals(range(105, 150), seqs(leader));
        List<BusEvent> decoded = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Future<HistoryPage> second = cache.read(EPOCH, 105, 46, 150);
            assertTrue(second.isComplete(), "held: answered at once");
            assertEquals(range(105, 150), seqs(second));
            for (HistoryPage.Stored stored : second.result().events()) {
                BusEvent event = cache.decode(stored);
                decoded.add(event);
                assertNotNull(cache.frame(event));
            }
        }
        assertEquals(2, history.reads.size(), "the gap read from history twice in all");
        assertEquals(46, history.decodes, "each record decoded once");
        assertEquals(46, history.frames, "each frame encoded once");
        assertSame(decoded.get(0), decoded.get(46), "every replay writes the same event");
        assertSame(cache.frame(decoded.get(0)), cache.frame(decoded.get(46)));
    }

    @Test
    void aReadGoesToHistoryForTheRestOfTheReplaysGapButNeverPastItsUntil() {
        ManualHistory history = new ManualHistory(1000, 100);
        ReplayCache cache = new ReplayCache(history, 256 * 1024);
        cache.read(EPOCH, 1, 4, 4);
        history.answerAll();
        Future<HistoryPage> page = cache.read(EPOCH, 5, 10, 300);
        history.answerAll();
        assertEquals(List.of(5L, 296L), List.of(history.reads.get(1)[0], history.reads.get(1)[1]),
                "what the replay lacks up to its until, within the bytes: " + history.reads.get(1)[1]);
        assertEquals(range(5, 14), seqs(page), "the replay gets its page");
        assertEquals(range(15, 20), seqs(cache.read(EPOCH, 15, 6, 300)), "and the rest is held");
        assertEquals(2, history.reads.size());
        assertEquals(range(15, 16), seqs(cache.read(EPOCH, 15, 6, 16)), "never past the asking replay's until");
    }

    @Test
    void itHoldsAtMostItsBytesDroppingTheOldestSeqs() {
        ManualHistory history = new ManualHistory(1000, 1000);
        ReplayCache cache = new ReplayCache(history, 10_000);
        cache.read(EPOCH, 1, 4, 1000);
        history.answerAll();
        Future<HistoryPage> next = cache.read(EPOCH, 5, 10, 1000);
        history.answerAll();
        assertEquals(range(5, 14), seqs(next));
        assertTrue(cache.bytes() <= 10_000, "within its bound: " + cache.bytes());
        assertEquals(10, cache.size());
        Future<HistoryPage> again = cache.read(EPOCH, 1, 4, 1000);
        assertTrue(!again.isComplete(), "the oldest were dropped: read again");
        history.answerAll();
        assertEquals(range(1, 4), seqs(again));
    }

    @Test
    void anotherEpochIsNeverAnsweredFromWhatItHolds() {
        ManualHistory history = new ManualHistory(100, 100);
        ReplayCache cache = new ReplayCache(history, 256 * 1024);
        cache.read(EPOCH, 1, 50, 100);
        history.answerAll();
        Future<HistoryPage> other = cache.read("e2", 1, 50, 100);
        assertTrue(!other.isComplete(), "not from e1's records");
        history.epoch = "e2";
        history.answerAll();
        assertEquals("e2", other.result().position().epoch());
        assertEquals(2, history.reads.size());
    }

    @Test
    void whatHistoryAnswersReachesEveryWaitingReplayAsIsFailuresAndPositionsIncluded() {
        ManualHistory history = new ManualHistory(100, 100);
        history.head = 60; // history lost seqs below 60
        ReplayCache cache = new ReplayCache(history, 256 * 1024);
        Future<HistoryPage> a = cache.read(EPOCH, 50, 10, 100);
        Future<HistoryPage> b = cache.read(EPOCH, 52, 10, 100);
        history.answerAll();
        assertEquals(60, a.result().position().head(), "the replay sees that history's head passed its start");
        assertEquals(60, b.result().position().head());

        ReplayCache failing = new ReplayCache(new ReplayCache.Source() {
            @Override
            public Future<HistoryPage> read(long fromSeq, int limit) {
                return Future.failedFuture("history unreachable");
            }

            @Override
            public BusEvent decode(HistoryPage.Stored stored) {
                throw new AssertionError();
            }

            @Override
            public String frameText(BusEvent event) {
                throw new AssertionError();
            }
        }, 1024);
        assertTrue(failing.read(EPOCH, 1, 4, 10).failed());
        assertEquals(0, failing.size());
    }

    @Test
    void aReplayWhoseSeqsAReadOnItsWayDidNotReturnReadsThemItself() {
        ManualHistory history = new ManualHistory(100, 100);
        history.perRead = 5; // history answers fewer than asked
        ReplayCache cache = new ReplayCache(history, 256 * 1024);
        Future<HistoryPage> first = cache.read(EPOCH, 1, 20, 100);
        Future<HistoryPage> later = cache.read(EPOCH, 10, 5, 100);
        history.answerAll();
        assertEquals(range(1, 5), seqs(first));
        assertTrue(!later.isComplete(), "seq 10 was not in the answer: read again");
        history.answerAll();
        assertEquals(range(10, 14), seqs(later));
    }

    @Test
    void clearedItHoldsNothingAndAReadOnItsWayKeepsNothingButStillAnswers() {
        ManualHistory history = new ManualHistory(100, 100);
        ReplayCache cache = new ReplayCache(history, 256 * 1024);
        cache.read(EPOCH, 1, 10, 100);
        history.answerAll();
        HistoryPage.Stored stored = cache.read(EPOCH, 1, 1, 100).result().events().get(0);
        BusEvent event = cache.decode(stored);
        assertNotNull(cache.frame(event));
        cache.clear();
        assertEquals(0, cache.size());
        assertNull(cache.frame(event), "a dropped event's frame is not handed out");
        assertNotSame(event, cache.decode(stored), "nor its decoded event");

        Future<HistoryPage> onItsWay = cache.read(EPOCH, 1, 10, 100);
        cache.clear();
        history.answerAll();
        assertEquals(range(1, 10), seqs(onItsWay));
        assertEquals(0, cache.size(), "kept nothing: no replay runs");
    }
}
