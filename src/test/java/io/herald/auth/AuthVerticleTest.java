package io.herald.auth;

import io.herald.Addresses;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One auth instance per event loop: a verification asked from any loop is answered by the instance on that same loop. */
class AuthVerticleTest {
    @Test
    void everyEventLoopHasItsOwnAuthInstanceAndVerificationsStayOnTheCallersLoop() {
        int loops = 4;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        try {
            EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
            RoleMatrix roles = RoleMatrix.compile(HeraldConfig.readJson(Path.of("conf/roles.json"), "roles"), catalog);
            HeraldConfig.Auth auth = new HeraldConfig.Auth("a-test-secret-of-at-least-32-bytes-long", null, true, true, 5, null, null);
            vertx.deployVerticle(() -> new AuthVerticle(auth, roles), new DeploymentOptions().setInstances(loops)).await();
            String token = new TokenMinter(vertx, auth).mint("u-1", "staff", null, List.of(), 60);
            Set<String> callerLoops = ConcurrentHashMap.newKeySet();
            List<Future<JsonObject>> answers = new ArrayList<>();
            for (int i = 0; i < 2 * loops; i++) {
                Promise<JsonObject> answer = Promise.promise();
                answers.add(answer.future());
                // each new event-loop context sits on the next loop
                io.vertx.core.Context context = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
                context.runOnContext(v -> {
                    String loop = Thread.currentThread().getName();
                    callerLoops.add(loop);
                    // the loop's own address answers (no fallback to the shared one)
                    vertx.eventBus().<JsonObject>request(Addresses.authVerifyOn(loop), token)
                            .map(reply -> reply.body())
                            .compose(principal -> AuthRequests.verify(vertx.eventBus(), token).map(r -> principal))
                            .onComplete(answer);
                });
            }
            for (Future<JsonObject> answer : answers) {
                assertEquals("u-1", answer.await().getString("sub"));
            }
            assertEquals(loops, callerLoops.size(), "the callers ran on every loop: " + callerLoops);
        } finally {
            vertx.close().await();
        }
    }
}
