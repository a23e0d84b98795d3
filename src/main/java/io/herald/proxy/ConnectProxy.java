package io.herald.proxy;

import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.bridge.ConnectionPolicy;
import io.herald.config.HeraldConfig;
import io.herald.delivery.ClientSocket;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@code proxy.connect.url}: a connection without a JWT is authenticated by the backend. Herald POSTs
 * {@code {"headers": {<the allow-listed request headers>}, "remoteAddress": "…"}} (header names in lower case; several
 * values of one header joined with {@code ", "}, cookies with {@code "; "}) and reads the answer as
 * {@link ConnectAnswer} says. A connection with a token never reaches the backend.
 */
public final class ConnectProxy implements ConnectionPolicy {
    private final ProxyClient client;
    private final List<String> headers;
    private final RoleMatrix roles;
    private final HeraldConfig.Auth auth;

    public ConnectProxy(ProxyClient client, List<String> headers, RoleMatrix roles, HeraldConfig.Auth auth) {
        this.client = client;
        this.headers = List.copyOf(headers);
        this.roles = roles;
        this.auth = auth;
    }

    @Override
    public Future<Principal> authenticate(ClientSocket socket) {
        return client.post(request(socket.headers(), socket.remoteAddress()))
                .map(answer -> ConnectAnswer.principal(answer, roles, auth, System.currentTimeMillis() / 1000));
    }

    JsonObject request(MultiMap requestHeaders, String remoteAddress) {
        JsonObject passed = new JsonObject();
        if (requestHeaders != null) {
            for (String name : headers) {
                List<String> values = requestHeaders.getAll(name);
                if (!values.isEmpty()) {
                    passed.put(name, String.join(name.equals("cookie") ? "; " : ", ", values));
                }
            }
        }
        return new JsonObject().put("headers", passed).put("remoteAddress", remoteAddress);
    }
}
