package io.herald.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/configuration.md is generated from {@link ConfigKeys}: this test fails when the committed page is stale, and
 * rewrites it when run with {@code -Dherald.regenerate=true}.
 */
class ConfigReferenceTest {
    static final Path PAGE = Path.of(ConfigReference.PATH);

    @Test
    void theCommittedReferenceIsGeneratedFromTheKeyTable() throws Exception {
        String generated = ConfigReference.markdown();
        if (Boolean.getBoolean("herald.regenerate")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
        assertEquals(generated, committed, PAGE + " is stale: regenerate it with "
                + "mvn -B -o test -Dtest=ConfigReferenceTest -Dherald.regenerate=true");
    }

    @Test
    void theReferenceHasARowPerKeyUnderItsSection() {
        String page = ConfigReference.markdown();
        for (ConfigKey key : ConfigKeys.all()) {
            assertTrue(page.contains("| `" + key.path() + "` | "), key.path());
        }
        assertTrue(page.contains("## `limits`"));
        assertTrue(page.contains("| `http.port` | `HERALD_HTTP_PORT` | integer | `8080` | 0..65535 |"), "a row as users read it");
        assertTrue(page.contains("| `auth.jwtSecret` | `HERALD_JWT_SECRET`, `HERALD_AUTH_JWT_SECRET` | secret | none |"));
    }
}
