package io.herald.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * One webhook's HTTP side: POSTs an envelope with its headers and answers whether the receiver took it (a 2xx).
 * A status other than 2xx, no connection or no complete answer within the webhook's timeout fails the future with
 * the reason in words (never the secret). The receiver's body is read and dropped (memory stays bounded).
 */
public final class WebhookSender {
    /** Outcome of one attempt: failed ones are retried. */
    public static final class Failed extends RuntimeException {
        public Failed(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final String webhookId;
    private final String url;
    private final int timeoutMs;
    private final WebhookSignature signature;

    public WebhookSender(Vertx vertx, HttpClient client, String webhookId, String url, int timeoutMs, WebhookSignature signature) {
        this.vertx = vertx;
        this.client = client;
        this.webhookId = webhookId;
        this.url = url;
        this.timeoutMs = timeoutMs;
        this.signature = signature;
    }

    /** POSTs {@code body} (an envelope) of the event {@code eventId}; succeeds with the 2xx status. */
    public Future<Integer> send(String eventId, Buffer body) {
        Promise<Integer> result = Promise.promise();
        HttpClientRequest[] sent = new HttpClientRequest[1];
        long timer = vertx.setTimer(timeoutMs, id -> {
            if (result.tryFail(new Failed("no answer within " + timeoutMs + " ms")) && sent[0] != null) {
                sent[0].reset();
            }
        });
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "Herald-Webhooks")
                .putHeader(WebhookSignature.WEBHOOK_ID_HEADER, webhookId)
                .putHeader(WebhookSignature.EVENT_ID_HEADER, eventId)
                .putHeader(WebhookSignature.HEADER, signature.sign(System.currentTimeMillis() / 1000, body.getBytes()));
        client.request(options)
                .compose(request -> {
                    sent[0] = request;
                    return request.send(body);
                })
                .compose(response -> {
                    response.handler(chunk -> { });
                    int status = response.statusCode();
                    return response.end().map(v -> status);
                })
                .onComplete(done -> {
                    vertx.cancelTimer(timer);
                    if (done.failed()) {
                        String why = done.cause().getMessage();
                        result.tryFail(new Failed(done.cause().getClass().getSimpleName() + (why == null ? "" : ": " + why)));
                    } else if (done.result() / 100 != 2) {
                        result.tryFail(new Failed("HTTP " + done.result()));
                    } else {
                        result.tryComplete(done.result());
                    }
                });
        return result.future();
    }
}
