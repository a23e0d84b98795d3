package io.herald.stats;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/stats.md is the stats table's page: this fails when the committed page is stale, and rewrites it when run with
 * {@code -Dherald.regenerate=true}. And the table says what a scrape and a snapshot really hold.
 */
class StatsDocsTest {
    static final Path PAGE = Path.of("docs/stats.md");

    @Test
    void theCommittedPageIsTheTablesPage() throws IOException {
        String generated = StatsReference.markdown();
        if (Boolean.getBoolean("herald.regenerate")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
        assertEquals(generated, committed, "docs/stats.md is stale: run mvn -B -o test -Dtest=StatsDocsTest -Dherald.regenerate=true and commit it");
    }

    @Test
    void everySeriesOfTheTableIsInTheScrapeAndEveryFieldInTheSnapshot() {
        NodeStats stats = StatsOutputTest.scripted("node-1", 1);
        String scrape = stats.registry().scrape();
        Set<String> heraldFamilies = new HashSet<>();
        scrape.lines().filter(line -> line.startsWith("# TYPE herald_")).forEach(line -> heraldFamilies.add(line.split(" ")[2]));
        Set<String> declared = new HashSet<>();
        for (Stat stat : Stat.values()) {
            String series = StatsReference.series(stat);
            if (series == null) {
                continue;
            }
            String family = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            declared.add(family);
            declared.add(family + "_max"); // Micrometer's decaying maximum of timers and summaries
            String sample = stat.labelValue() != null ? family + "{" + stat.label() + "=\"" + stat.labelValue() + "\"}"
                    : stat.label() != null ? family + "{" + stat.label() + "=" : family;
            assertTrue(scrape.contains("\n" + sample), "no " + sample + " in the scrape (" + stat + ")");
            assertTrue(scrape.contains("# HELP " + family + " " + stat.help() + "\n"), "HELP of " + family);
        }
        heraldFamilies.removeAll(declared);
        assertEquals(Set.of(), heraldFamilies, "herald_ series not declared in the Stat table");

        Set<String> fields = new HashSet<>(stats.snapshot().fieldNames());
        for (Stat stat : Stat.values()) {
            if (stat.field() != null) {
                assertTrue(fields.remove(stat.field()), stat.field());
            }
        }
        assertEquals(Set.of(), fields, "snapshot fields not declared in the Stat table");
    }
}
