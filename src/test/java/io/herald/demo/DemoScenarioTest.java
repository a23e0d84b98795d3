package io.herald.demo;

import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.event.PublishRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoScenarioTest {
    @Test
    void producesKnownTypesAcrossTheShopWithOrdersMovingForward() {
        EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        DemoScenario scenario = new DemoScenario(new Random(7));
        Set<String> namespaces = new HashSet<>();
        Set<String> stockKeys = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            PublishRequest event = scenario.next();
            if (event.type().equals("inventory:updated")) {
                // the shipped catalog keys inventory:updated by productId: the console's state table
                stockKeys.add(event.data().getString(catalog.state("inventory:updated").key()));
            }
            assertTrue(catalog.contains(event.type()), event.type());
            namespaces.add(catalog.namespaceOf(event.type()).name());
            if (event.type().equals("order:status_changed")) {
                int from = java.util.Arrays.asList(DemoScenario.STATUSES).indexOf(event.data().getString("from"));
                int to = java.util.Arrays.asList(DemoScenario.STATUSES).indexOf(event.data().getString("to"));
                assertTrue(to == from + 1, event.data().encode());
            }
            if (event.type().startsWith("order:") || event.type().startsWith("payment:")) {
                assertTrue(event.data().getString("customerId").startsWith("c-"), "orders belong to a customer");
            }
        }
        assertTrue(namespaces.containsAll(Set.of("orders", "customers", "products", "inventory", "payments")), namespaces.toString());
        assertEquals(DemoScenario.PRODUCTS.length, stockKeys.size(), stockKeys.toString());
    }
}
