package io.herald.auth;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.Reconnect;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The code a failed verification gives the client, from the failures a real event bus produces: a check that
 * waited past the request's timeout is {@code unavailable} (retry), the auth verticle's own code stays, and any
 * other failure is {@code internal_error}.
 */
class AuthRequestsTest {
    static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    private static Throwable failureOf(String address) throws Exception {
        return vertx.eventBus().request(address, "t", new DeliveryOptions().setSendTimeout(200))
                .toCompletionStage().toCompletableFuture()
                .handle((ok, err) -> err).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aCheckThatOutlastsTheRequestTimeoutIsUnavailable() throws Exception {
        MessageConsumer<String> waiting = vertx.eventBus().localConsumer("auth-test.waits", request -> { }); // never replies
        waiting.completion().await();
        try {
            HeraldException refusal = AuthRequests.refusal(failureOf("auth-test.waits"));
            assertEquals(ErrorCode.UNAVAILABLE, refusal.code());
            assertEquals(Reconnect.YES, refusal.code().reconnect());
        } finally {
            waiting.unregister().await();
        }
    }

    @Test
    void theAuthVerticlesCodeIsKept() throws Exception {
        MessageConsumer<String> refusing = vertx.eventBus().localConsumer("auth-test.refuses",
                request -> HeraldException.failReply(request, new HeraldException(ErrorCode.TOKEN_INVALID, "bad signature")));
        refusing.completion().await();
        try {
            HeraldException refusal = AuthRequests.refusal(failureOf("auth-test.refuses"));
            assertEquals(ErrorCode.TOKEN_INVALID, refusal.code());
            assertEquals("bad signature", refusal.getMessage());
        } finally {
            refusing.unregister().await();
        }
    }

    @Test
    void realFailuresStayInternalErrors() throws Exception {
        assertEquals(ErrorCode.INTERNAL_ERROR, AuthRequests.refusal(failureOf("auth-test.nobody")).code(), "no auth verticle");
        MessageConsumer<String> failing = vertx.eventBus().localConsumer("auth-test.fails", request -> request.fail(500, "a failure without a code"));
        failing.completion().await();
        try {
            assertEquals(ErrorCode.INTERNAL_ERROR, AuthRequests.refusal(failureOf("auth-test.fails")).code(), "a failing verticle");
        } finally {
            failing.unregister().await();
        }
        assertEquals(ErrorCode.INTERNAL_ERROR, AuthRequests.refusal(new IllegalStateException("x")).code());
    }
}
