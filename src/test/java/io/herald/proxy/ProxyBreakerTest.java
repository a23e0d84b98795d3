package io.herald.proxy;

import io.herald.config.HeraldConfig;
import io.herald.testing.Eventually;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * vertx-circuit-breaker 5.1.6 on Herald's vertx-core 5.1.1, as the proxies configure it: failures open it, an open
 * circuit refuses without running the operation, after the reset time it half-opens and lets one try through, whose
 * success closes it (and whose failure opens it again).
 */
class ProxyBreakerTest {
    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void failuresOpenItAnOpenCircuitRefusesAndAfterTheResetOneTryClosesIt() {
        HeraldConfig.BackendProxy config = new HeraldConfig.BackendProxy("http://127.0.0.1:1/", 1000, 10, 3, 300);
        CircuitBreaker breaker = ProxyClient.breaker(vertx, "test", config);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            Future<String> failed = breaker.execute(() -> {
                ran.incrementAndGet();
                return Future.failedFuture("backend down");
            });
            assertThrows(Exception.class, failed::await);
        }
        assertEquals(CircuitBreakerState.OPEN, breaker.state(), "3 failures open it");
        Future<String> refused = breaker.execute(() -> {
            ran.incrementAndGet();
            return Future.succeededFuture("ran");
        });
        Throwable cause = assertThrows(Exception.class, refused::await);
        assertInstanceOf(OpenCircuitException.class, cause instanceof OpenCircuitException ? cause : cause.getCause());
        assertEquals(3, ran.get(), "an open circuit does not run the operation");

        Eventually.assertEventually("half-open after the reset time", () -> breaker.state() == CircuitBreakerState.HALF_OPEN);
        Future<String> failedTry = breaker.execute(() -> Future.failedFuture("still down"));
        assertThrows(Exception.class, failedTry::await);
        assertEquals(CircuitBreakerState.OPEN, breaker.state(), "a failed try opens it again");

        Eventually.assertEventually("half-open again", () -> breaker.state() == CircuitBreakerState.HALF_OPEN);
        assertEquals("ok", breaker.execute(() -> Future.succeededFuture("ok")).await());
        assertEquals(CircuitBreakerState.CLOSED, breaker.state(), "a successful try closes it");
        breaker.close();
    }
}
