package io.herald.bench;

import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.atomic.LongAdder;

/** POSTs {@code order:created} events to one server at a steady rate, each carrying its send time. */
final class Publisher {
    private final Vertx vertx;
    private final HttpClient http;
    private final int port;
    final LongAdder accepted = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** When above 0, event n carries {@code "storeId":"s-<n % stores>"} (the filters scenario); 0: none, as before. */
    private final int stores;
    /** When above 0, event n's data holds an {@code items} array of that many order lines (the compression scenario: a ~1.5 KB frame with 18). */
    int items;

    Publisher(Vertx vertx, int port) {
        this(vertx, port, 0);
    }

    Publisher(Vertx vertx, int port, int stores) {
        this.vertx = vertx;
        this.port = port;
        this.stores = stores;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(16));
    }

    /** Publishes {@code perSecond} events a second for {@code seconds}; completes when all are answered. */
    Future<Void> run(int perSecond, int seconds) {
        Promise<Void> done = Promise.promise();
        long total = (long) perSecond * seconds;
        long start = System.nanoTime();
        long[] sent = {0};
        LongAdder answered = new LongAdder();
        vertx.setPeriodic(5, timer -> {
            long due = Math.min(total, (System.nanoTime() - start) * perSecond / 1_000_000_000L);
            for (; sent[0] < due; sent[0]++) {
                publish(sent[0]).onComplete(ar -> {
                    answered.increment();
                    if (answered.sum() == total) {
                        done.tryComplete();
                    }
                });
            }
            if (sent[0] >= total) {
                vertx.cancelTimer(timer);
            }
        });
        return done.future();
    }

    Future<Void> publish(long n) {
        String body = "{\"type\":\"" + LoadClient.TYPE + "\"" + (stores > 0 ? ",\"storeId\":\"s-" + n % stores + "\"" : "") + ",\"data\":{\"n\":" + n + ",\"orderId\":\"o-" + n
                + "\",\"customerId\":\"c-1\",\"total\":42.5," + items(n) + "\"sentAt\":" + System.nanoTime() + "}}";
        return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/api/events")
                        .putHeader("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY).putHeader("Content-Type", "application/json"))
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(b -> response.statusCode()))
                .map(status -> {
                    if (status == 202) {
                        accepted.increment();
                    } else {
                        failed.increment();
                    }
                    return (Void) null;
                })
                .onFailure(err -> failed.increment())
                .recover(err -> Future.succeededFuture());
    }

    /** Order lines as the seeds' order events carry them (product, sku, quantity, unit price), varying with n. */
    private String items(long n) {
        if (items <= 0) {
            return "";
        }
        StringBuilder lines = new StringBuilder("\"items\":[");
        for (int i = 0; i < items; i++) {
            lines.append(i > 0 ? "," : "").append("{\"product\":\"Product ").append((n * 7 + i) % 40).append("\",\"sku\":\"SKU-")
                    .append(1000 + (n + i) % 500).append("\",\"quantity\":").append(1 + i % 3).append(",\"unitPrice\":").append(9 + (n + i) % 90).append(".99}");
        }
        return lines.append("],").toString();
    }

    void close() {
        http.close();
    }
}
