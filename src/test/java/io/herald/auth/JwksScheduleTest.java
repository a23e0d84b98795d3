package io.herald.auth;

import io.herald.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the key set is fetched again: max-age within bounds, backoff after failures, unknown kids limited; the clock is a number. */
class JwksScheduleTest {
    static final HeraldConfig.Jwks CONFIG = new HeraldConfig.Jwks("https://id.example.com/certs", 30, 60, 3600);

    @Test
    void maxAgeIsBoundedByTheConfig() {
        JwksSchedule schedule = new JwksSchedule(CONFIG);
        assertEquals(300_000, schedule.afterSuccess("public, max-age=300"));
        assertEquals(60_000, schedule.afterSuccess("max-age=5"), "never sooner than the lower bound");
        assertEquals(3_600_000, schedule.afterSuccess("max-age=86400, must-revalidate"), "never later than the upper bound");
        assertEquals(3_600_000, schedule.afterSuccess(null), "no header: the upper bound");
        assertEquals(3_600_000, schedule.afterSuccess("public"), "no max-age: the upper bound");
        assertEquals(60_000, schedule.afterSuccess("no-cache"), "Keycloak's no-cache: the lower bound");
        assertEquals(60_000, schedule.afterSuccess("max-age=600, no-store"));
        assertEquals(3_600_000, schedule.afterSuccess("max-age=lots"), "unreadable: as none");
    }

    @Test
    void failuresBackOffAndASuccessResetsThem() {
        JwksSchedule schedule = new JwksSchedule(CONFIG);
        assertEquals(1000, schedule.afterFailure());
        assertEquals(2000, schedule.afterFailure());
        assertEquals(4000, schedule.afterFailure());
        for (int i = 0; i < 20; i++) {
            schedule.afterFailure();
        }
        assertEquals(60_000, schedule.afterFailure(), "at most a minute");
        schedule.afterSuccess(null);
        assertEquals(1000, schedule.afterFailure());
        JwksSchedule tight = new JwksSchedule(new HeraldConfig.Jwks("https://id.example.com/certs", 30, 1, 5));
        for (int i = 0; i < 10; i++) {
            tight.afterFailure();
        }
        assertEquals(5000, tight.afterFailure(), "nor later than the upper bound of refreshes");
    }

    @Test
    void unknownKidsFetchAtMostOncePerMinRefetch() {
        JwksSchedule schedule = new JwksSchedule(CONFIG);
        long t = 1_000_000;
        assertTrue(schedule.mayRefetchForUnknownKid(t));
        assertFalse(schedule.mayRefetchForUnknownKid(t + 1));
        assertFalse(schedule.mayRefetchForUnknownKid(t + 29_999));
        assertTrue(schedule.mayRefetchForUnknownKid(t + 30_000));
        assertFalse(schedule.mayRefetchForUnknownKid(t + 30_001));
    }
}
