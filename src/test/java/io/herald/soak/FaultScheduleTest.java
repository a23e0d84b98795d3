package io.herald.soak;

import io.herald.soak.FaultSchedule.Kind;
import io.herald.soak.FaultSchedule.Step;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultScheduleTest {
    @Test
    void theSameSeedGivesTheSameStepsAndAnotherSeedOthers() {
        List<Kind> all = List.of(Kind.values());
        assertEquals(FaultSchedule.preview(42, all, 3, 30), FaultSchedule.preview(42, all, 3, 30));
        assertNotEquals(FaultSchedule.preview(42, all, 3, 30), FaultSchedule.preview(43, all, 3, 30));
    }

    @Test
    void everyKindComesOncePerRoundOnARealNodeAndMigrationKillsAnotherOne() {
        List<Step> steps = FaultSchedule.preview(7, List.of(Kind.values()), 3, Kind.values().length * 4);
        for (int round = 0; round < 4; round++) {
            Set<Kind> seen = EnumSet.noneOf(Kind.class);
            steps.subList(round * Kind.values().length, (round + 1) * Kind.values().length).forEach(s -> seen.add(s.kind()));
            assertEquals(EnumSet.allOf(Kind.class), seen);
        }
        for (Step s : steps) {
            assertTrue(s.node() >= 0 && s.node() < 3 && s.other() >= 0 && s.other() < 3 && s.other() != s.node(), s.toString());
            if (s.kind() == Kind.STOP_LONG) {
                assertTrue(s.durationMs() > 10_000, "past the 10 s heartbeat timeout");
            }
            if (s.kind() == Kind.STOP) {
                assertTrue(s.durationMs() < 10_000, "within the heartbeat timeout");
            }
        }
    }

    @Test
    void kindsAreParsedFromTheProperty() {
        assertEquals(List.of(Kind.KILL, Kind.TERM), FaultSchedule.parse("kill,term"));
        assertEquals(List.of(Kind.values()), FaultSchedule.parse("all"));
        assertEquals(List.of(Kind.STOP_LONG, Kind.MIGRATION_KILL), FaultSchedule.parse(" stop-long , migration-kill"));
        assertThrows(IllegalArgumentException.class, () -> FaultSchedule.parse("kill,nap"));
        assertTrue(FaultSchedule.preview(1, FaultSchedule.parse("kill"), 3, 5).stream().allMatch(s -> s.kind() == Kind.KILL));
    }
}
