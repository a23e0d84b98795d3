package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RefreshTest {
    @Test
    void aTypeNoPolicyGrantsIsDeniedAndTheReplyNamesWhatWasDropped() {
        Refresh refresh = new Refresh(new Principal("u-1", "admin", null, Set.of()), Set.of("payment:received", "order:created"));
        assertEquals(Set.of("order:created", "payment:received"), refresh.types());
        refresh.grant("order:created", Access.OWN);
        assertEquals(Access.OWN, refresh.access("order:created"));
        assertEquals(Access.NONE, refresh.access("payment:received"), "deny by default, as a register");
        refresh.droppedType("payment:received");
        refresh.leftRoom("dashboard");
        assertEquals(new JsonObject("{\"types\":[\"payment:received\"],\"rooms\":[\"dashboard\"]}"), refresh.droppedJson());
    }

    @Test
    void withoutABridgeAConnectionOnlySwapsItsClaims() {
        Connection connection = new Connection(null, new Principal("u-1", "admin", null, Set.of()));
        Refresh refresh = connection.replacePrincipal(new Principal("u-1", "customer", null, Set.of()));
        assertEquals("admin", refresh.previous().role());
        assertEquals("customer", connection.principal().role());
        assertEquals(new JsonObject("{\"types\":[],\"rooms\":[]}"), refresh.droppedJson());
    }
}
