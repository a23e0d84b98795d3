package io.herald.soak;

import io.herald.soak.SoakHistory.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report of a synthetic history with a loss and an epoch change: text, SVG and PNG written; the history reads back the same. */
class SoakReportTest {
    @Test
    void writesTheReportTheTimelineAndAHistoryThatReadsBack(@TempDir Path dir) throws Exception {
        SoakCheckerTest.H h = new SoakCheckerTest.H().clean(20).ack("gone", "A", 21, 2100, 2110).ack("b1", "B", 1, 2200, 2210)
                .both("b1", "B", 1, 2300);
        Snapshot snapshot = new Snapshot(h.publishes, h.deliveries, h.errs, h.follows, h.faults, List.of(new SoakHistory.Note(5, "hello")), 3000);
        SoakChecker.Result result = SoakChecker.check(snapshot);
        SoakReport.write(dir, Map.of("seed", "7", "faults", "kill"), snapshot, result);
        String text = Files.readString(dir.resolve("report.txt"));
        assertTrue(text.contains("VERDICT: the contract is broken") && text.contains("gone") && text.contains("silent_epoch_change"), text);
        assertTrue(Files.readString(dir.resolve("timeline.svg")).startsWith("<svg"));
        assertTrue(Files.size(dir.resolve("timeline.png")) > 1000, "a PNG");

        SoakHistory.write(snapshot, dir.resolve("history.jsonl"));
        assertEquals(snapshot, SoakHistory.read(dir.resolve("history.jsonl")));
    }
}
