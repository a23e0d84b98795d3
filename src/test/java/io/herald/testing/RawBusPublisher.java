package io.herald.testing;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM service clustered with Herald that knows nothing of it: a plain Vert.x verticle that publishes
 * raw JSON objects on an event type's address, run as its own process by BusPublishIT.
 * <pre>java -cp … io.herald.testing.RawBusPublisher CLUSTER OWN_PORT MEMBER_PORTS(a,b) TYPE COUNT</pre>
 * It prints {@code reply <json>} for one request, {@code published <count>} after the publishes, then
 * waits until its standard input closes, and leaves the cluster.
 */
public final class RawBusPublisher extends VerticleBase {
    private final String type;
    private final int count;

    RawBusPublisher(String type, int count) {
        this.type = type;
        this.count = count;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> members = Arrays.stream(args[2].split(",")).map(Integer::parseInt).toList();
        HazelcastClusterManager cluster = new HazelcastClusterManager(TestNodes.hazelcast(args[0], Integer.parseInt(args[1]), members));
        Vertx vertx = Vertx.builder().withClusterManager(cluster).buildClustered().await(60, TimeUnit.SECONDS);
        vertx.deployVerticle(new RawBusPublisher(args[3], Integer.parseInt(args[4]))).await(60, TimeUnit.SECONDS);
        System.in.read();
        vertx.close().await(60, TimeUnit.SECONDS);
        System.exit(0);
    }

    @Override
    public Future<?> start() {
        return requestUntilRouted(new JsonObject().put("n", 0)).map(reply -> {
            System.out.println("reply " + reply.encode());
            for (int n = 1; n <= count; n++) {
                vertx.eventBus().publish(type, new JsonObject().put("n", n).put("from", "raw"));
            }
            System.out.println("published " + count);
            return reply;
        });
    }

    /** The cluster's subscription table reaches a new member a moment after it joins: until then a request finds no handler. */
    private Future<JsonObject> requestUntilRouted(JsonObject data) {
        return vertx.eventBus().<JsonObject>request(type, data).map(reply -> reply.body()).recover(err -> {
            if (err instanceof ReplyException reply && reply.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS) {
                return vertx.timer(100).compose(v -> requestUntilRouted(data));
            }
            return Future.failedFuture(err);
        });
    }
}
