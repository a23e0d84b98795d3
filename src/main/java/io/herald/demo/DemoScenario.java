package io.herald.demo;

import io.herald.event.PublishRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

/**
 * A small shop in motion, for dev mode: customers place orders that move pending → paid → shipped →
 * delivered, payments arrive (and sometimes fail), stock runs low and is restocked, prices change,
 * customers come online. Each {@link #next()} is one plausible event.
 */
public final class DemoScenario {
    static final String[] CUSTOMERS = {"c-1001", "c-1002", "c-1003", "c-1004", "c-1005"};
    static final String[] PRODUCTS = {"Espresso beans 1kg", "Pour-over kettle", "Burr grinder", "Ceramic dripper", "Paper filters x100"};
    static final String[] STATUSES = {"pending", "paid", "shipped", "delivered"};

    private final Random random;
    private final Deque<JsonObject> openOrders = new ArrayDeque<>();
    private int orderNumber = 1000;

    public DemoScenario(Random random) {
        this.random = random;
    }

    public PublishRequest next() {
        int roll = random.nextInt(100);
        if (roll < 30 || openOrders.isEmpty()) {
            return newOrder();
        }
        if (roll < 60) {
            return advanceOrder();
        }
        if (roll < 70) {
            return payment();
        }
        if (roll < 80) {
            return stock();
        }
        if (roll < 90) {
            return price();
        }
        String customer = pick(CUSTOMERS);
        return event(random.nextBoolean() ? "customer:added_to_cart" : "customer:viewing_product",
                new JsonObject().put("customerId", customer).put("product", pick(PRODUCTS)));
    }

    private PublishRequest newOrder() {
        int quantity = 1 + random.nextInt(3);
        double unit = 5 + random.nextInt(120) + random.nextInt(100) / 100.0;
        JsonObject order = new JsonObject()
                .put("orderId", "o-" + (++orderNumber))
                .put("customerId", pick(CUSTOMERS))
                .put("status", STATUSES[0])
                .put("items", new JsonArray().add(new JsonObject().put("product", pick(PRODUCTS)).put("quantity", quantity).put("unitPrice", unit)))
                .put("total", Math.round(quantity * unit * 100) / 100.0)
                .put("currency", "EUR");
        openOrders.addLast(order);
        if (openOrders.size() > 20) {
            openOrders.removeFirst();
        }
        return event("order:created", order.copy());
    }

    private PublishRequest advanceOrder() {
        JsonObject order = openOrders.removeFirst();
        String from = order.getString("status");
        int next = java.util.Arrays.asList(STATUSES).indexOf(from) + 1;
        order.put("status", STATUSES[next]);
        if (next < STATUSES.length - 1) {
            openOrders.addLast(order);
        }
        return event("order:status_changed", new JsonObject()
                .put("orderId", order.getString("orderId")).put("customerId", order.getString("customerId"))
                .put("from", from).put("to", STATUSES[next]));
    }

    private PublishRequest payment() {
        JsonObject order = openOrders.peekLast();
        boolean failed = random.nextInt(10) == 0;
        return event(failed ? "payment:failed" : "payment:received", new JsonObject()
                .put("orderId", order.getString("orderId")).put("customerId", order.getString("customerId"))
                .put("amount", order.getDouble("total")).put("currency", "EUR")
                .put("method", random.nextBoolean() ? "card" : "paypal"));
    }

    private PublishRequest stock() {
        if (random.nextBoolean()) {
            // the stock per product: inventory:updated keeps state by productId (docs/state.md), the console's table
            int product = random.nextInt(PRODUCTS.length);
            return event("inventory:updated", new JsonObject().put("productId", "p-" + (product + 1)).put("product", PRODUCTS[product])
                    .put("quantity", random.nextInt(120)).put("warehouse", random.nextBoolean() ? "north" : "south"));
        }
        int left = random.nextInt(6);
        String type = left == 0 ? "inventory:out_of_stock" : random.nextInt(3) == 0 ? "inventory:restocked" : "inventory:low_stock";
        return event(type, new JsonObject().put("product", pick(PRODUCTS))
                .put("quantity", type.equals("inventory:restocked") ? 50 + random.nextInt(50) : left)
                .put("warehouse", random.nextBoolean() ? "north" : "south"));
    }

    private PublishRequest price() {
        double old = 5 + random.nextInt(120);
        return event("product:price_changed", new JsonObject().put("product", pick(PRODUCTS))
                .put("oldPrice", old).put("newPrice", Math.round(old * (0.8 + random.nextInt(40) / 100.0) * 100) / 100.0));
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static PublishRequest event(String type, JsonObject data) {
        return new PublishRequest(type, data, null, null, null);
    }
}
