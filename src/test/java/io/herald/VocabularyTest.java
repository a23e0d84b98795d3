package io.herald;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vocabulary file ({@code src/main/resources/herald/vocabulary.json}) is the one declaration of the error codes
 * and close reasons: the enums must name exactly its entries, the close codes must follow the documented ranges,
 * and what build.mjs generates from it (herald.js, herald.d.ts, docs/codes.md) must be committed fresh.
 */
class VocabularyTest {
    private static final Set<Integer> STANDARD_CODES = Set.of(1001, 1002, 1007, 1009, 1013);

    /** The constant names of an enum, read without initialising it (an entry missing from the file would fail that). */
    private static List<String> constants(String enumClass) throws ClassNotFoundException {
        Class<?> type = Class.forName(enumClass, false, VocabularyTest.class.getClassLoader());
        List<String> names = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (field.isEnumConstant()) {
                names.add(field.getName().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    @Test
    void theEnumsNameExactlyTheFilesEntries() throws Exception {
        assertEquals(new TreeSet<>(Vocabulary.names(Vocabulary.ERROR_CODES)), new TreeSet<>(constants("io.herald.ErrorCode")),
                "io.herald.ErrorCode and errorCodes of " + Vocabulary.RESOURCE + " must name the same codes");
        assertEquals(new TreeSet<>(Vocabulary.names(Vocabulary.CLOSE_REASONS)), new TreeSet<>(constants("io.herald.CloseReason")),
                "io.herald.CloseReason and closeReasons of " + Vocabulary.RESOURCE + " must name the same reasons");
        assertEquals(new TreeSet<>(Vocabulary.names(Vocabulary.RECONNECT)), new TreeSet<>(constants("io.herald.Reconnect")));
    }

    /** graphql-transport-ws's own closes: declared in the file, in the protocol's 4400–4499, none a hub close reason's code. */
    @Test
    void theGraphQLClosesAreTheFilesInTheProtocolsRange() throws Exception {
        assertEquals(new TreeSet<>(Vocabulary.names(Vocabulary.GRAPHQL_CLOSES)), new TreeSet<>(constants("io.herald.GraphQLClose")));
        Set<Integer> codes = new java.util.HashSet<>();
        for (GraphQLClose close : GraphQLClose.values()) {
            assertTrue(close.code() >= 4400 && close.code() <= 4499, close.id());
            assertTrue(codes.add(close.code()), "one code per close: " + close.id());
            assertTrue(Arrays.stream(CloseReason.values()).noneMatch(r -> r.code() == close.code()), close.id());
        }
        assertEquals(4408, GraphQLClose.INIT_TIMEOUT.code());
        assertEquals(Reconnect.YES, GraphQLClose.INIT_TIMEOUT.reconnectClass(), "graphql-ws retries after an init timeout");
        assertEquals(Reconnect.NO, GraphQLClose.BAD_MESSAGE.reconnectClass());
    }

    @Test
    void theEnumsTakeTheirNumbersFromTheFile() {
        assertEquals(403, ErrorCode.ACCESS_DENIED.status());
        assertEquals(Reconnect.NEW_TOKEN, ErrorCode.TOKEN_REVOKED.reconnect());
        assertEquals(4100, CloseReason.TOKEN_EXPIRED.code());
        assertEquals(1001, CloseReason.SHUTDOWN.code());
        assertTrue(CloseReason.SLOW_CONSUMER.doc().contains("bridge.maxOutboundBytes"));
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(code.status() >= 400 && code.status() <= 599, code + " " + code.status());
            assertTrue(!code.doc().isBlank(), code.id());
        }
    }

    @Test
    void oneCodePerCloseReasonInTheRangeOfItsClass() {
        Map<Integer, CloseReason> byCode = new HashMap<>();
        for (CloseReason reason : CloseReason.values()) {
            CloseReason other = byCode.put(reason.code(), reason);
            assertNull(other, reason.id() + " and " + (other == null ? "" : other.id()) + " share close code " + reason.code());
            assertEquals(reason.reconnectClass() != Reconnect.NO, reason.reconnect(), reason.id());
            if (STANDARD_CODES.contains(reason.code())) {
                for (Reconnect range : Reconnect.values()) {
                    assertTrue(!range.contains(reason.code()), reason.id());
                }
            } else {
                assertTrue(reason.reconnectClass().contains(reason.code()),
                        reason.id() + "'s code " + reason.code() + " is outside the range of its class " + reason.reconnectClass().id());
            }
        }
        assertEquals(Set.of(1001, 1009, 1013), Set.of(CloseReason.SHUTDOWN.code(), CloseReason.FRAME_TOO_LARGE.code(), CloseReason.UNAVAILABLE.code()),
                "the standard codes stay as they are");
        for (Reconnect a : Reconnect.values()) {
            for (Reconnect b : Reconnect.values()) {
                if (a != b) {
                    for (int code = 4000; code < 5000; code++) {
                        assertTrue(!(a.contains(code) && b.contains(code)), "ranges " + a.id() + " and " + b.id() + " overlap at " + code);
                    }
                }
            }
        }
    }

    @Test
    void aRefusalClosesWithTheReasonTheFileNames() {
        assertEquals(CloseReason.TOKEN_REQUIRED, CloseReason.forRefusal(ErrorCode.TOKEN_REQUIRED));
        assertEquals(CloseReason.TOKEN_INVALID, CloseReason.forRefusal(ErrorCode.TOKEN_INVALID));
        assertEquals(CloseReason.TOKEN_EXPIRED, CloseReason.forRefusal(ErrorCode.TOKEN_EXPIRED));
        assertEquals(CloseReason.REVOKED, CloseReason.forRefusal(ErrorCode.TOKEN_REVOKED));
        assertEquals(CloseReason.RATE_LIMITED, CloseReason.forRefusal(ErrorCode.RATE_LIMITED));
        assertEquals(CloseReason.TOO_MANY_CONNECTIONS, CloseReason.forRefusal(ErrorCode.TOO_MANY_CONNECTIONS));
        assertEquals(CloseReason.TOKEN_INVALID, CloseReason.forRefusal(ErrorCode.TOO_MANY_ROOMS), "the token's rooms claim: refused again");
        assertEquals(CloseReason.UNAVAILABLE, CloseReason.forRefusal(ErrorCode.UNAVAILABLE), "a client refused before it read the err still hears why");
        assertEquals(CloseReason.INTERNAL_ERROR, CloseReason.forRefusal(ErrorCode.ACCESS_DENIED));
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(CloseReason.forRefusal(code) != null, code.id()); // a close the file names that is no reason would throw
        }
    }

    @Test
    void aRefusalClosesWithAReasonOfTheSameClassAsItsCode() {
        for (ErrorCode code : ErrorCode.values()) {
            CloseReason close = CloseReason.forRefusal(code);
            if (close != CloseReason.INTERNAL_ERROR) {
                assertEquals(code.reconnect(), close.reconnectClass(), code.id() + " refuses with " + close.id());
            }
        }
    }

    @Test
    void theGeneratedTextIsFresh() throws IOException, InterruptedException {
        Path js = Path.of("src", "main", "js").toAbsolutePath();
        Process check = new ProcessBuilder("node", "build.mjs", "--check").directory(js.toFile()).redirectErrorStream(true).start();
        assertTrue(check.waitFor(60, TimeUnit.SECONDS), "node build.mjs --check did not finish");
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.exitValue(), "herald.js, herald.d.ts or docs/codes.md is stale against the vocabulary file:\n" + output);
    }

    @Test
    void theOldSharedCodesAreGone() {
        // 4401 and 4429 each stood for several reasons; the renumbering is listed in docs/changelog.md
        assertTrue(Arrays.stream(CloseReason.values()).noneMatch(r -> r.code() == 4401 || r.code() == 4429));
    }
}
