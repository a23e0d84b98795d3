package io.herald.proxy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.bridge.PublishFrame;
import io.herald.catalog.EventCatalog;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the publish proxy's answer does to a client's publish: keeps it, rewrites its data (stamped after), or refuses it. */
class PublishProxyTest {
    static final EventCatalog CATALOG = ConnectAnswerTest.CATALOG;
    static final Principal WHO = new Principal("c-7", "customer", "s-1", Set.of());

    static PublishFrame frame(JsonObject stampedData) {
        return new PublishFrame("customer:viewing_product", CATALOG.namespaceOf("customer:viewing_product"), stampedData);
    }

    @Test
    void a200WithoutDataPublishesWhatTheClientSent() {
        JsonObject data = new JsonObject().put("productId", "p-1");
        PublishFrame publish = frame(data);
        PublishProxy.apply(new ProxyClient.Answer(200, new JsonObject()), publish, WHO);
        assertEquals(data, publish.data());
        assertFalse(publish.replyWithData(), "a send's reply is the usual one");
    }

    @Test
    void a200WithDataPublishesTheBackendsDataStampedWithThePublishersIdentity() {
        PublishFrame publish = frame(new JsonObject().put("productId", "p-1"));
        String owner = CATALOG.namespaceOf("customer:viewing_product").ownerField();
        JsonObject backend = new JsonObject().put("productId", "p-1").put("name", "Lamp").put("userId", "someone-else");
        if (owner != null) {
            backend.put(owner, "someone-else");
        }
        PublishProxy.apply(new ProxyClient.Answer(200, new JsonObject().put("data", backend)), publish, WHO);
        assertEquals("Lamp", publish.data().getString("name"));
        assertEquals("c-7", publish.data().getString("userId"), "identity stamped after the backend");
        if (owner != null) {
            assertEquals("c-7", publish.data().getString(owner));
        }
        assertTrue(publish.replyWithData());
    }

    @Test
    void a403RefusesWithTheBackendsMessageAndDataThatIsNoObjectIsAFailure() {
        PublishFrame publish = frame(new JsonObject());
        HeraldException refused = assertThrows(HeraldException.class,
                () -> PublishProxy.apply(new ProxyClient.Answer(403, new JsonObject().put("error", "product p-1 is hidden")), publish, WHO));
        assertEquals(ErrorCode.ACCESS_DENIED, refused.code());
        assertEquals("product p-1 is hidden", refused.getMessage());
        HeraldException plain = assertThrows(HeraldException.class, () -> PublishProxy.apply(new ProxyClient.Answer(403, null), publish, WHO));
        assertEquals("the backend refused this publish", plain.getMessage());
        HeraldException odd = assertThrows(HeraldException.class,
                () -> PublishProxy.apply(new ProxyClient.Answer(200, new JsonObject().put("data", "text")), publish, WHO));
        assertEquals(ErrorCode.UNAVAILABLE, odd.code());
        assertNull(publish.data().getValue("name"));
    }
}
