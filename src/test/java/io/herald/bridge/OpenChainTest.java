package io.herald.bridge;

import io.herald.Addresses;
import io.herald.CloseReason;
import io.herald.Counters;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.delivery.ClientSocket;
import io.herald.delivery.Connection;
import io.herald.delivery.SharedFrame;
import io.herald.stats.NodeStats;
import io.herald.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket's open, step by step, on a plain local Vert.x: a stand-in auth verticle on the auth address (tokens
 * {@code good:<user>} pass), fake sockets, policies that record. Refusals cost nothing after the step that refused,
 * and a policy that admitted a connection refused later hears that it closed.
 */
class OpenChainTest {
    static Vertx vertx;
    MessageConsumer<String> auth;
    final AtomicInteger verifications = new AtomicInteger();
    /** Runs while the token is checked (before the auth reply). */
    volatile Runnable duringVerification = () -> { };
    final List<Connection> opened = new CopyOnWriteArrayList<>();
    final Counters stats = new NodeStats("test");

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    @BeforeEach
    void standInAuth() {
        auth = vertx.eventBus().localConsumer(Addresses.AUTH_VERIFY, request -> {
            verifications.incrementAndGet();
            duringVerification.run();
            String token = request.body();
            if (token.startsWith("good:")) {
                request.reply(new Principal(token.substring(5), "staff", null, Set.of()).toJson());
            } else {
                HeraldException.failReply(request, new HeraldException(ErrorCode.TOKEN_INVALID, "token rejected"));
            }
        });
        auth.completion().await();
    }

    @AfterEach
    void stopAuth() {
        auth.unregister().await();
    }

    OpenChain chain(CloseReason refusing, ConnectionPolicy... policies) {
        return new OpenChain(vertx.eventBus(), stats, List.of(policies), () -> refusing, opened::add);
    }

    void start(OpenChain chain, FakeSocket socket) {
        vertx.getOrCreateContext().runOnContext(v -> chain.start(socket));
    }

    @Test
    void aNodeThatTakesNoConnectionRefusesBeforeTheTokenCostsAnything() {
        FakeSocket socket = new FakeSocket("good:u-1");
        start(chain(CloseReason.SHUTDOWN), socket);
        socket.awaitClosed();
        assertEquals(CloseReason.SHUTDOWN.code(), socket.closedWith);
        assertEquals("unavailable", socket.sent.get(0).getString("failureType"));
        assertEquals(0, verifications.get());
        assertEquals(List.of(), opened);
    }

    @Test
    void anAttemptAPolicyRefusesIsClosedBeforeTheTokenIsChecked() {
        Recording limit = new Recording("limit");
        limit.refuseAttempt = true;
        FakeSocket socket = new FakeSocket("good:u-1");
        start(chain(null, limit), socket);
        socket.awaitClosed();
        assertEquals(CloseReason.forRefusal(ErrorCode.TOO_MANY_CONNECTIONS).code(), socket.closedWith);
        assertEquals("too_many_connections", socket.sent.get(0).getString("failureType"));
        assertEquals(0, verifications.get());
        assertEquals(List.of("limit:attempt"), limit.calls);
    }

    @Test
    void aBadTokenIsRefusedAndNoPolicyHearsOfAConnection() {
        Recording policy = new Recording("p");
        FakeSocket socket = new FakeSocket("forged");
        start(chain(null, policy), socket);
        socket.awaitClosed();
        assertTrue(socket.paused, "paused while the token was checked");
        assertEquals(CloseReason.forRefusal(ErrorCode.TOKEN_INVALID).code(), socket.closedWith);
        assertEquals("token_invalid", socket.sent.get(0).getString("failureType"));
        assertEquals(List.of("p:attempt"), policy.calls);
        assertEquals(List.of(), opened);
    }

    @Test
    void whenAPolicyRefusesTheOpenThoseThatAdmittedItHearItClosed() {
        Recording first = new Recording("first");
        Recording second = new Recording("second");
        second.refuseOpen = true;
        Recording third = new Recording("third");
        FakeSocket socket = new FakeSocket("good:u-1");
        start(chain(null, first, second, third), socket);
        socket.awaitClosed();
        assertEquals(List.of("first:attempt", "first:claims", "first:open", "first:close"), first.calls);
        assertEquals(List.of("second:attempt", "second:claims", "second:open"), second.calls);
        assertEquals(List.of("third:attempt", "third:claims"), third.calls, "never asked to open");
        assertEquals("too_many_rooms", socket.sent.get(0).getString("failureType"));
        assertEquals(List.of(), opened);
    }

    @Test
    void anAdmittedConnectionOpensWithItsPrincipal() {
        Recording policy = new Recording("p");
        FakeSocket socket = new FakeSocket("good:u-7");
        start(chain(null, policy), socket);
        Eventually.assertEventually("opened", () -> opened.size() == 1);
        assertEquals("u-7", opened.get(0).principal().userId());
        assertEquals(List.of("p:attempt", "p:claims", "p:open"), policy.calls);
        assertNull(socket.closedWith);
        assertEquals(List.of(), socket.sent);
    }

    @Test
    void aClientThatLeftWhileItsTokenWasCheckedIsClosedToThePolicies() {
        Recording policy = new Recording("p");
        FakeSocket socket = new FakeSocket("good:u-1");
        duringVerification = () -> socket.closeHandler.handle(null);
        start(chain(null, policy), socket);
        Eventually.assertEventually("closed to the policies", () -> policy.calls.contains("p:close"));
        assertEquals(List.of("p:attempt", "p:claims", "p:open", "p:close"), policy.calls);
        assertEquals(List.of(), opened);
    }

    /** A policy that authenticates connections without a token (as the connect proxy does) with what it is given. */
    static final class Authenticating implements ConnectionPolicy {
        final List<ClientSocket> asked = new CopyOnWriteArrayList<>();
        final Future<Principal> answer;

        Authenticating(Future<Principal> answer) {
            this.answer = answer;
        }

        @Override
        public Future<Principal> authenticate(ClientSocket socket) {
            asked.add(socket);
            return answer;
        }
    }

    static FakeSocket withoutToken() {
        FakeSocket socket = new FakeSocket("x");
        socket.headers.remove("Authorization");
        return socket;
    }

    @Test
    void aConnectionWithoutATokenOpensWithTheClaimsAPolicyAuthenticatesAndTheTokenCheckIsNotAsked() {
        Authenticating proxy = new Authenticating(Future.succeededFuture(new Principal("u-9", "customer", null, Set.of())));
        Recording policy = new Recording("p");
        start(chain(null, policy, proxy), withoutToken());
        Eventually.assertEventually("opened", () -> opened.size() == 1);
        assertEquals("u-9", opened.get(0).principal().userId());
        assertEquals("customer", opened.get(0).principal().role());
        assertEquals(0, verifications.get(), "no token to verify");
        assertEquals(List.of("p:attempt", "p:claims", "p:open"), policy.calls, "the claims meet every policy as a token's do");
    }

    @Test
    void noIdentityGoesOnAsWithoutATokenAndARefusalClosesWithItsCode() {
        Authenticating none = new Authenticating(Future.succeededFuture(null));
        FakeSocket socket = withoutToken();
        start(chain(null, none), socket);
        // the stand-in auth refuses an empty token: what the node's does with auth.allowAnonymous off
        socket.awaitClosed();
        assertEquals(1, verifications.get(), "asked as without a token");
        assertEquals("token_invalid", socket.sent.get(0).getString("failureType"));

        Authenticating down = new Authenticating(Future.failedFuture(new HeraldException(ErrorCode.UNAVAILABLE, "backend down")));
        FakeSocket refused = withoutToken();
        start(chain(null, down), refused);
        refused.awaitClosed();
        assertEquals("unavailable", refused.sent.get(0).getString("failureType"));
        assertEquals(CloseReason.forRefusal(ErrorCode.UNAVAILABLE).code(), refused.closedWith);
        assertEquals(1, verifications.get(), "a refusal asks nothing else");
    }

    @Test
    void aConnectionWithATokenNeverReachesTheAuthenticatingPolicy() {
        Authenticating proxy = new Authenticating(Future.succeededFuture(new Principal("u-9", "admin", null, Set.of())));
        start(chain(null, proxy), new FakeSocket("good:u-1"));
        Eventually.assertEventually("opened", () -> opened.size() == 1);
        assertEquals("u-1", opened.get(0).principal().userId());
        assertEquals(List.of(), proxy.asked);
    }

    /** A policy that records each hook it is asked, and refuses where told. */
    static final class Recording implements ConnectionPolicy {
        final String name;
        final List<String> calls = new CopyOnWriteArrayList<>();
        boolean refuseAttempt;
        boolean refuseOpen;

        Recording(String name) {
            this.name = name;
        }

        @Override
        public void onAttempt(String remoteAddress) {
            calls.add(name + ":attempt");
            if (refuseAttempt) {
                throw new HeraldException(ErrorCode.TOO_MANY_CONNECTIONS, "too many");
            }
        }

        @Override
        public void checkClaims(Connection connection, Principal claims) {
            calls.add(name + ":claims");
        }

        @Override
        public Future<Void> onOpen(Connection connection) {
            calls.add(name + ":open");
            return refuseOpen ? Future.failedFuture(new HeraldException(ErrorCode.TOO_MANY_ROOMS, "too many rooms")) : Future.succeededFuture();
        }

        @Override
        public void onClose(Connection connection) {
            calls.add(name + ":close");
        }
    }

    /** A socket that records what the chain does to it; its token in the Authorization header. */
    static class FakeSocket implements ClientSocket {
        final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        final List<JsonObject> sent = new CopyOnWriteArrayList<>();
        volatile Integer closedWith;
        volatile boolean paused;
        volatile Handler<Void> closeHandler = v -> { };

        FakeSocket(String token) {
            headers.add("Authorization", "Bearer " + token);
        }

        void awaitClosed() {
            Eventually.assertEventually("the socket closed", () -> closedWith != null);
        }

        @Override
        public String uri() {
            return "/eventbus/websocket";
        }

        @Override
        public MultiMap headers() {
            return headers;
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
        }

        @Override
        public void closeHandler(Handler<Void> handler) {
            closeHandler = handler;
        }

        @Override
        public void send(String frameJson) {
            sent.add(new JsonObject(frameJson));
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }

        @Override
        public String transport() {
            return "fake";
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1";
        }

        @Override
        public void frameHandler(Handler<String> handler) {
        }

        @Override
        public boolean deliver(SharedFrame frame) {
            return false;
        }

        @Override
        public boolean overloaded() {
            return false;
        }

        @Override
        public void abort() {
        }
    }
}
