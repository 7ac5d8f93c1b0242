package dev.weft.platform;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedLookup;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.testapp.Widget;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Lookups by id without Hibernate's per-call loader: the same answers as findById, tenancy included. */
@QuarkusTest
class OrgScopedLookupTest extends PlatformTestBase {
    @Inject
    SystemPrincipal system;

    @Test
    void finds_the_orgs_own_entity_and_never_another_orgs() {
        String org = newOrg();
        String other = newOrg();
        String id = createWidget(org, "looked-up");
        UUID uuid = TypeId.parse("wdg", id).orElseThrow();
        // Through the API (the test app's GET uses the lookup): the owner sees it, another org gets the 404.
        writer(org).when().get("/v1/widgets/" + id).then().statusCode(200).body("name", equalTo("looked-up"));
        writer(other).when().get("/v1/widgets/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        system.runAs(other, () -> QuarkusTransaction.requiringNew().run(() -> assertNull(OrgScopedLookup.findById(Widget.class, uuid))));
        system.runAs(org, () -> QuarkusTransaction.requiringNew().run(() -> {
            Widget found = OrgScopedLookup.findById(Widget.class, uuid);
            assertNotNull(found);
            assertEquals("looked-up", found.name);
            assertSame(found, Widget.findById(uuid), "the session's managed entity, as findById gives");
            assertNull(OrgScopedLookup.findById(Widget.class, UUID.randomUUID()));
        }));
    }

    @Test
    void finds_an_entity_persisted_earlier_in_the_same_transaction() {
        String org = newOrg();
        system.runAs(org, () -> QuarkusTransaction.requiringNew().run(() -> {
            Widget widget = new Widget();
            widget.id = TypeId.uuidV7();
            widget.name = "not yet flushed";
            widget.size = 1;
            widget.persist();
            assertSame(widget, OrgScopedLookup.findById(Widget.class, widget.id));
        }));
    }
}
