package io.herald.access;

import io.herald.auth.Principal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdentityStampTest {
    @Test
    void ownerAndIdentityFieldsComeFromTheToken() {
        JsonObject forged = new JsonObject().put("customerId", "victim").put("userId", "victim").put("storeId", "s-x").put("productId", "p");
        JsonObject stamped = IdentityStamp.stamp(forged, "customerId", new Principal("c-1", "customer", null, Set.of()));
        assertEquals(new JsonObject().put("customerId", "c-1").put("userId", "c-1").put("productId", "p"), stamped);
        assertEquals("victim", forged.getString("customerId"), "the client's object is not changed");
    }

    @Test
    void theOwnerFieldIsAddedWhenMissingAndOtherFieldsAreLeftAlone() {
        JsonObject stamped = IdentityStamp.stamp(new JsonObject().put("productId", "p"), "customerId",
                new Principal("c-2", "customer", "s-9", Set.of()));
        assertEquals(new JsonObject().put("productId", "p").put("customerId", "c-2"), stamped);
    }
}
