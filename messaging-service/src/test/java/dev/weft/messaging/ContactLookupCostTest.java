package dev.weft.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.messaging.contact.ContactService;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every send and every inbound webhook looks its contact up by address ({@link ContactService#BY_IDENTITY}), with the
 * address a send goes to. That lookup must read a few pages whatever the org's size: with an index on the contact alone,
 * a plan made before the table's statistics caught up scanned every identity of the org on the channel per message.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ContactLookupCostTest {
    private static final int CONTACTS = 3_000;

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Test
    void a_contact_is_found_by_address_in_a_few_pages_in_an_org_of_many() throws Exception {
        String org = TypeId.generate("org");
        UUID target;
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement contacts = db.prepareStatement("""
                         INSERT INTO messaging.contacts (id, org_id, phone, channel, created_at, updated_at)
                         SELECT gen_random_uuid(), ?, '+9715' || lpad(g::text, 8, '0'), 'whatsapp', now(), now() FROM generate_series(1, ?) g""");
                 PreparedStatement identities = db.prepareStatement("""
                         INSERT INTO messaging.contact_identities (id, org_id, contact_id, channel, address, created_at, updated_at)
                         SELECT gen_random_uuid(), org_id, id, 'whatsapp', phone, now() - interval '1 day', now() FROM messaging.contacts WHERE org_id = ?""")) {
                contacts.setString(1, org);
                contacts.setInt(2, CONTACTS);
                contacts.executeUpdate();
                identities.setString(1, org);
                identities.executeUpdate();
            }
            try (PreparedStatement find = db.prepareStatement("SELECT contact_id FROM messaging.contact_identities WHERE org_id = ? AND address = ?")) {
                find.setString(1, org);
                find.setString(2, "+971500000777");
                try (ResultSet row = find.executeQuery()) {
                    row.next();
                    target = row.getObject(1, UUID.class);
                }
            }
            // A second, newer address of the same contact on the channel: the lookup by it still answers the first one.
            try (PreparedStatement second = db.prepareStatement("""
                    INSERT INTO messaging.contact_identities (id, org_id, contact_id, channel, address, created_at, updated_at)
                    VALUES (gen_random_uuid(), ?, ?, 'whatsapp', '+971599999999', now(), now())""")) {
                second.setString(1, org);
                second.setObject(2, target);
                second.executeUpdate();
            }

            try (PreparedStatement lookup = db.prepareStatement(ContactService.BY_IDENTITY)) {
                bind(lookup, org);
                try (ResultSet row = lookup.executeQuery()) {
                    assertTrue(row.next(), "the contact is found by its second address");
                    assertEquals(target, row.getObject(1, UUID.class));
                    assertEquals("+971500000777", row.getString(20), "a send goes to the contact's first address on the channel");
                }
            }
            try (PreparedStatement explain = db.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + ContactService.BY_IDENTITY)) {
                bind(explain, org);
                try (ResultSet row = explain.executeQuery()) {
                    row.next();
                    JsonNode plan = json.readTree(row.getString(1)).get(0).get("Plan");
                    long pages = plan.path("Shared Hit Blocks").asLong() + plan.path("Shared Read Blocks").asLong();
                    // Three index descents and their rows: about ten pages. Scanning the org's identities reads over a thousand.
                    assertTrue(pages < 40, "the lookup read " + pages + " pages among " + CONTACTS + " contacts: " + plan);
                }
            }
        }
    }

    private static void bind(PreparedStatement statement, String org) throws Exception {
        statement.setString(1, org);
        statement.setString(2, "whatsapp");
        statement.setString(3, "+971599999999");
    }
}
