package io.herald.testing;

import io.herald.auth.TokenMinter;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * The clients of a cluster IT (failover, rolling restart, reconnect storm): {@link FollowingClient}s on a Vert.x of
 * their own, each with a token of the shipped secret, started together and registered before the test goes on; closing
 * this closes them all (with their Vert.x).
 */
public final class Followers implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final TokenMinter tokens = new TokenMinter(vertx, TestNodes.config(json -> { }).auth());

    /**
     * Starts {@code count} clients named {@code prefix + i}, user {@code u-i} of {@code role}, following {@code types};
     * client {@code i} knows the nodes of {@code ports.apply(i)} and connects first to the one at {@code first.applyAsInt(i)}.
     * Answers once every one registered (within {@code seconds}, else fails).
     */
    public List<FollowingClient> start(String prefix, int count, String role, List<String> types, IntFunction<List<Integer>> ports,
                                       IntUnaryOperator first, long seconds) {
        return start(prefix, count, role, types, i -> ports.apply(i).stream().map(p -> "127.0.0.1").toList(), ports, first, seconds);
    }

    /** As {@link #start(String, int, String, List, IntFunction, IntUnaryOperator, long)}, for nodes at {@code hosts} (same index, same node). */
    public List<FollowingClient> start(String prefix, int count, String role, List<String> types, IntFunction<List<String>> hosts,
                                       IntFunction<List<Integer>> ports, IntUnaryOperator first, long seconds) {
        List<FollowingClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(new FollowingClient(vertx, prefix + i, hosts.apply(i), ports.apply(i), first.applyAsInt(i), token("u-" + i, role), types)
                    .start());
        }
        Eventually.assertWithin(seconds, "every client registered", () -> clients.stream().allMatch(FollowingClient::registered));
        return clients;
    }

    /** A token of the shipped secret for this user and role, valid for an hour. */
    public String token(String userId, String role) {
        return tokens.mint(userId, role, null, List.of(), 3600);
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
