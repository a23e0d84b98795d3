package io.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the pages of docs/ link to each other (each fact lives on one page, the others link to it): every
 * relative link of README.md and docs/*.md must name a file that exists and, for a Markdown page, a heading it has
 * (GitHub's anchors). The README stays a five-minute read.
 */
class DocsLinksTest {

    /** Pages a link may name before they exist (none now: every page of issue 18 is in). */
    private static final Set<String> PENDING = Set.of();

    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyRelativeLinkOfTheDocsResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages()) {
            for (String target : links(Files.readString(page))) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // http:, https:, mailto:
                }
                checked++;
                String problem = problem(page, target);
                if (problem != null) {
                    broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
                }
            }
        }
        assertTrue(checked > 50, "found only " + checked + " relative links: is the scanner broken?");
        assertEquals(List.of(), broken, "broken links");
    }

    @Test
    void theReadmeStaysShort() throws IOException {
        long lines = Files.readAllLines(ROOT.resolve("README.md")).size();
        assertTrue(lines <= 200, "README.md has " + lines + " lines; move the details to a page of docs/ and link it");
    }

    @Test
    void anchorsFollowGitHub() {
        Map<String, Integer> seen = new HashMap<>();
        assertEquals("heralds-own-client-heraldjs", anchor("Herald's own client (`herald.js`)", seen));
        assertEquals("connects-per-second-hs256-and-rs256-issue-17", anchor("Connects per second, HS256 and RS256 (issue 17)", seen));
        assertEquals("discovery-clusterxml", anchor("Discovery: `cluster.xml`", seen));
        assertEquals("post-apidisconnect", anchor("POST /api/disconnect", seen));
        assertEquals("design", anchor("Design", seen));
        assertEquals("design-1", anchor("Design", seen));
        assertEquals(List.of("a/b.md#x", "c.png", "d"), links("[a](a/b.md#x) ![c](c.png) `[not](this)`\n```\n[nor](this)\n```\n[d](d)"));
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** Link targets outside fenced code blocks and inline code. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (link.find()) {
                targets.add(link.group(1));
            }
        }
        return targets;
    }

    private static String problem(Path page, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            String name = ROOT.relativize(resolved).toString().replace('\\', '/');
            return PENDING.contains(name) ? null : "no such file " + name;
        }
        if (fragment == null || !resolved.toString().endsWith(".md")) {
            return null;
        }
        Set<String> anchors = anchors(Files.readString(resolved));
        return anchors.contains(fragment) ? null : "no heading with the anchor #" + fragment + " in " + ROOT.relativize(resolved);
    }

    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (!fenced && heading.matches()) {
                anchors.add(anchor(heading.group(2), seen));
            }
        }
        return anchors;
    }

    /** GitHub's heading anchor: link text kept, lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
    static String anchor(String heading, Map<String, Integer> seen) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        String slug = text.replaceAll("[^\\p{L}\\p{N}\\p{Mn}\\p{Pc} -]", "").replace(' ', '-');
        int count = seen.merge(slug, 1, Integer::sum);
        return count == 1 ? slug : slug + "-" + (count - 1);
    }
}
