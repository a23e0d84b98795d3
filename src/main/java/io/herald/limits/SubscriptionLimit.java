package io.herald.limits;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.herald.delivery.RegisterFrame;

/** At most {@code bridge.maxSubscriptionsPerSocket} registrations on one connection. */
public final class SubscriptionLimit implements ConnectionPolicy {
    private final int maxPerConnection;

    public SubscriptionLimit(int maxPerConnection) {
        this.maxPerConnection = maxPerConnection;
    }

    @Override
    public void onRegister(Connection connection, RegisterFrame register) {
        if (connection.subscriptionCount() >= maxPerConnection && !connection.subscriptions.containsKey(register.type())) { // a second register replaces
            throw new HeraldException(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "at most " + maxPerConnection + " subscriptions per connection");
        }
    }
}
