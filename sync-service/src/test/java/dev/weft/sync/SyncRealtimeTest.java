package dev.weft.sync;

import dev.weft.platform.events.Topics;
import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.sync.support.Runs;
import dev.weft.testing.TestEvents;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A realtime sync: created, it asks connections-service for the source object's change stream and copies what is
 * there in a first run; then each record.created, record.updated and record.deleted event on weft.records.events is
 * applied to the destination (upsert by the mapped key, delete by it).
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
class SyncRealtimeTest {
    /** Changes waiting for the sync's run to end, as the sync shows them. */
    private static long heldBack(String org, String syncId) {
        return realtime(org, syncId).getLong("pending");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static String event(String org, String connection, String id, String email, String first) {
        String record = email == null ? "null" : "{\"Id\":\"" + id + "\",\"Email\":\"" + email + "\",\"FirstName\":\"" + first + "\"}";
        return "{\"org_id\":\"" + org + "\",\"connection_id\":\"" + connection + "\",\"stream_id\":\"cs_0\",\"object\":\"Contact\",\"record_id\":\"" + id
                + "\",\"key\":{\"Id\":\"" + id + "\"},\"direction\":\"read\",\"occurred_at\":\"2025-01-15T10:00:00Z\",\"record\":" + record + "}";
    }

    @Test
    void snapshots_then_applies_inserts_updates_and_deletes_as_they_come() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name");
        Map<String, Object> body = Map.of("name", "SF Contacts to Snowflake",
                "source", Map.of("connection_id", source.id, "object", "Contact"),
                "destination", Map.of("connection_id", destination.id, "table", "raw.contacts", "key", List.of("sf_id")),
                "schedule", "realtime",
                "field_mappings", List.of(Map.of("source", "Id", "destination", "sf_id"), Map.of("source", "Email", "destination", "email_address"),
                        Map.of("source", "FirstName", "destination", "first_name")));
        String syncId = as(org).body(body).post("/v1/syncs").then().statusCode(201)
                .body("schedule", equalTo("realtime")).body("destination.mode", equalTo("upsert")).extract().path("id");
        assertEquals(Map.of("Contact", "cs_0"), source.streams, "the change stream was asked for");

        // The first run copies what is there.
        String snapshot = as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .body("data[0].trigger", equalTo("realtime")).extract().path("data[0].id");
        assertEquals("succeeded", Runs.awaitFinal(org, snapshot).getString("status"));
        Map<String, Map<String, Object>> table = destination.written("raw.contacts");
        assertEquals(3, table.size());

        String created = "003999999999001";
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/" + created, event(org, source.id, created, "new@example.com", "Nova"));
        await("the insert", () -> destination.written("raw.contacts").containsKey(created));
        assertEquals(Map.of("sf_id", created, "email_address", "new@example.com", "first_name", "Nova"), destination.written("raw.contacts").get(created));

        TestEvents.publish(Topics.RECORDS, "record.updated", org, source.id + "/Contact/" + created, event(org, source.id, created, "new@example.com", "Nova2"));
        await("the update", () -> "Nova2".equals(destination.written("raw.contacts").get(created).get("first_name")));

        TestEvents.publish(Topics.RECORDS, "record.deleted", org, source.id + "/Contact/" + created, event(org, source.id, created, null, null));
        await("the delete", () -> !destination.written("raw.contacts").containsKey(created));
        assertEquals(3, destination.written("raw.contacts").size());

        // A disabled sync stops applying.
        as(org).body("{\"enabled\":false}").patch("/v1/syncs/" + syncId).then().statusCode(200);
        String later = "003999999999002";
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/" + later, event(org, source.id, later, "later@example.com", "L"));
        String marker = "003999999999003";
        // A second realtime sync, still enabled, proves the event after it was consumed.
        var other = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name");
        Map<String, Object> second = new java.util.HashMap<>(body);
        second.put("destination", Map.of("connection_id", other.id, "table", "raw.contacts", "key", List.of("sf_id")));
        as(org).body(second).post("/v1/syncs").then().statusCode(201);
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/" + marker, event(org, source.id, marker, "m@example.com", "M"));
        await("the marker", () -> other.written("raw.contacts").containsKey(marker));
        assertEquals(false, destination.written("raw.contacts").containsKey(later));
        assertEquals(false, destination.written("raw.contacts").containsKey(marker));
    }

    /**
     * Changes made while the first run copies the source wait for it: applied at once, the run's older copy of the same
     * records, read before them and written after, would bring a deleted record back and undo an update.
     */
    @Test
    void changes_during_the_first_copy_are_applied_after_it_and_win() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name");
        source.gate = new java.util.concurrent.CountDownLatch(1);
        String syncId;
        String snapshot;
        try {
            syncId = as(org).body(realtimeBody("Held back, realtime", source.id, destination.id, List.of(), "Id>sf_id", "Email>email_address",
                    "FirstName>first_name")).post("/v1/syncs").then().statusCode(201).extract().path("id");
            snapshot = as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).extract().path("data[0].id");
            await("the first run's read", () -> !source.reads.isEmpty());
            // While the run's read is held: record 0 deleted, record 1 renamed, a new record created then renamed.
            String aggregate = source.id + "/Contact/";
            String deleted = "003000000000000";
            String renamed = "003000000000001";
            String added = "003999999999010";
            TestEvents.publish(Topics.RECORDS, "record.deleted", org, aggregate + deleted, event(org, source.id, deleted, null, null));
            TestEvents.publish(Topics.RECORDS, "record.updated", org, aggregate + renamed, event(org, source.id, renamed, "person1@example.com", "Renamed"));
            TestEvents.publish(Topics.RECORDS, "record.created", org, aggregate + added, event(org, source.id, added, "added@example.com", "Added"));
            TestEvents.publish(Topics.RECORDS, "record.updated", org, aggregate + added, event(org, source.id, added, "added@example.com", "Added2"));
            // A record created and deleted before the run read it: its delete finds nothing to delete, which is what it asks.
            String gone = "003999999999012";
            TestEvents.publish(Topics.RECORDS, "record.deleted", org, aggregate + gone, event(org, source.id, gone, null, null));
            String id = syncId;
            await("five changes held back", () -> heldBack(org, id) == 5);
            assertEquals(0, destination.written("raw.contacts").size(), "nothing applied while the run copies");
        } finally {
            source.gate.countDown();
        }
        // The run writes its copy (record 0 as it was, record 1 with its old name); the held-back changes follow it.
        assertEquals("succeeded", Runs.awaitFinal(org, snapshot).getString("status"));
        await("the held-back changes applied", () -> heldBack(org, syncId) == 0);
        Map<String, Map<String, Object>> table = destination.written("raw.contacts");
        assertEquals(java.util.Set.of("003000000000001", "003000000000002", "003999999999010"), table.keySet(), "the deleted record stays deleted");
        assertEquals("Renamed", table.get("003000000000001").get("first_name"));
        assertEquals("Added2", table.get("003999999999010").get("first_name"));
        io.restassured.path.json.JsonPath counts = realtime(org, syncId);
        // The added record's first change was overtaken by its second, and the delete of a record the destination never had
        // holds already: both skipped, neither written nor failed.
        assertEquals(List.of(2, 1, 2, 0), List.of(counts.getInt("written"), counts.getInt("deleted"), counts.getInt("skipped"), counts.getInt("failed")));

        // With the run over, a change applies at once again.
        String later = "003999999999011";
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/" + later, event(org, source.id, later, "later@example.com", "Later"));
        await("the change after the run", () -> destination.written("raw.contacts").containsKey(later));
        assertEquals(0, heldBack(org, syncId));
        // The change happened at the source at its occurred_at (these events say 2025-01-15): the lag is measured from it.
        assertThat(realtime(org, syncId).getLong("lag_ms"), greaterThan(java.time.Duration.ofDays(300).toMillis()));
    }

    /**
     * The first copy starts reading only once the change stream follows the source: a change made before that, after
     * the copy read its record, would be in neither.
     */
    @Test
    void the_first_copy_waits_for_the_change_stream_and_a_failed_stream_fails_it() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        source.streamStatus = "starting";
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name");
        String syncId = as(org).body(realtimeBody("Waits, realtime", source.id, destination.id, List.of(), "Id>sf_id", "Email>email_address"))
                .post("/v1/syncs").then().statusCode(201).extract().path("id");
        String first = as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).extract().path("data[0].id");
        await("the run started", () -> "running".equals(as(org).get("/v1/runs/" + first).then().extract().path("status")));
        Thread.sleep(1500);
        assertEquals(List.of(), source.reads, "nothing read while the stream is starting");
        source.streamStatus = "streaming";
        assertEquals("succeeded", Runs.awaitFinal(org, first).getString("status"));
        assertEquals(3, destination.written("raw.contacts").size());

        // A stream that cannot follow the source fails the copy with its reason.
        String other = Api.newOrg();
        var broken = Api.salesforce(other).rows("Contact", Runs.contacts(1));
        broken.streamStatus = "failed";
        broken.streamStatusReason = "the source refused the change stream: logical decoding requires wal_level >= logical";
        var target = ConnectionsStub.connection(other).object("raw.contacts", null, null, "sf_id", "email_address");
        String failing = as(other).body(realtimeBody("Broken, realtime", broken.id, target.id, List.of(), "Id>sf_id", "Email>email_address"))
                .post("/v1/syncs").then().statusCode(201).extract().path("id");
        String run = as(other).get("/v1/syncs/" + failing + "/runs").then().statusCode(200).extract().path("data[0].id");
        var failed = Runs.awaitFinal(other, run);
        assertEquals("failed", failed.getString("status"));
        assertThat(failed.getString("error"), containsString("wal_level >= logical"));
        assertEquals(List.of(), broken.reads);
    }

    @Test
    void a_paused_sync_resumed_catches_up_on_what_changed_while_paused() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2));
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name");
        String syncId = realtimeSync(org, "Paused, realtime", source.id, destination.id, List.of(), "Id>sf_id", "Email>email_address", "FirstName>first_name");
        assertEquals(2, destination.written("raw.contacts").size());
        as(org).body("{\"enabled\":false}").patch("/v1/syncs/" + syncId).then().statusCode(200);
        // While paused, a record is added at the source; its change event is not followed.
        source.rows("Contact", Runs.contacts(3));
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/003000000000002",
                event(org, source.id, "003000000000002", "person2@example.com", "First2"));
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(1));
        // Resumed: a catch-up run copies it.
        as(org).body("{\"enabled\":true}").patch("/v1/syncs/" + syncId).then().statusCode(200).body("enabled", equalTo(true));
        String catchUp = as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(2))
                .body("data[0].trigger", equalTo("realtime")).extract().path("data[0].id");
        assertEquals("succeeded", Runs.awaitFinal(org, catchUp).getString("status"));
        assertEquals(3, destination.written("raw.contacts").size());
        // A change to anything else queues nothing.
        as(org).body("{\"name\":\"Renamed, realtime\"}").patch("/v1/syncs/" + syncId).then().statusCode(200);
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(2));
    }

    @Test
    void the_sync_counts_its_changes_and_keeps_its_latest_errors_once_per_event() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name")
                .refusing(record -> "refused@example.com".equals(record.get("email_address")));
        String syncId = realtimeSync(org, "Counted, realtime", source.id, destination.id, List.of("FirstName <> 'Skip'"),
                "Id>sf_id", "Email>email_address", "FirstName>first_name");
        as(org).get("/v1/syncs/" + syncId).then().statusCode(200)
                .body("realtime.written", equalTo(0)).body("realtime.failed", equalTo(0)).body("realtime.errors", hasSize(0));

        String good = "003999999999201";
        String refused = "003999999999202";
        String skipped = "003999999999203";
        String aggregate = source.id + "/Contact/";
        TestEvents.publish(Topics.RECORDS, "record.created", org, aggregate + good, event(org, source.id, good, "good@example.com", "Good"));
        String refusedEvent = TestEvents.publish(Topics.RECORDS, "record.created", org, aggregate + refused,
                event(org, source.id, refused, "refused@example.com", "Refused"));
        TestEvents.publish(Topics.RECORDS, "record.created", org, aggregate + skipped, event(org, source.id, skipped, "skip@example.com", "Skip"));
        TestEvents.publish(Topics.RECORDS, "record.deleted", org, aggregate + good, event(org, source.id, good, null, null));
        await("four changes counted", () -> realtime(org, syncId).getInt("written") + realtime(org, syncId).getInt("deleted")
                + realtime(org, syncId).getInt("skipped") + realtime(org, syncId).getInt("failed") == 4);
        var counted = realtime(org, syncId);
        assertEquals(List.of(1, 1, 1, 1), List.of(counted.getInt("written"), counted.getInt("deleted"), counted.getInt("skipped"), counted.getInt("failed")));
        assertEquals(List.of(Map.of("key", refused, "reason", "value rejected by the destination")),
                counted.getList("errors", Map.class).stream().map(e -> Map.of("key", e.get("key"), "reason", e.get("reason"))).toList());
        assertEquals(counted.getString("last_error_at"), counted.getString("errors[0].at"));

        // The refused change delivered again (the same event id): counted once. A later change on the same key (the same
        // partition, so consumed after it) proves it was consumed.
        TestEvents.publish(Topics.RECORDS, refusedEvent, "record.created", org, aggregate + refused,
                event(org, source.id, refused, "refused@example.com", "Refused"));
        String marker = "003999999999204";
        TestEvents.publish(Topics.RECORDS, "record.created", org, aggregate + refused, event(org, source.id, marker, "m@example.com", "M"));
        await("the marker", () -> destination.written("raw.contacts").containsKey(marker));
        await("the marker counted", () -> realtime(org, syncId).getInt("written") == 2);
        var after = realtime(org, syncId);
        assertEquals(1, after.getInt("failed"), "the redelivered event was not counted again");
        assertEquals(1, after.getList("errors").size());

        // A sync that runs by the clock shows no realtime part.
        as(org).body(Api.seedSync(source.id, Api.warehouse(org).id, "hourly")).post("/v1/syncs").then().statusCode(201)
                .body("$", not(hasKey("realtime")));
    }

    @Test
    void a_burst_of_changes_goes_out_in_few_writes_and_each_record_ends_as_its_latest_change_says() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name")
                .refusing(record -> "refused@example.com".equals(record.get("email_address")));
        String syncId = realtimeSync(org, "Burst, realtime", source.id, destination.id, List.of(), "Id>sf_id", "Email>email_address",
                "FirstName>first_name");
        int writesBefore = destination.writes.size();

        // 300 records created, then each updated; the first deleted and created again; one the destination refuses. Events
        // of one record share a partition, so they are consumed in this order.
        int records = 300;
        String aggregate = source.id + "/Contact/";
        List<TestEvents.Event> burst = new java.util.ArrayList<>();
        for (String name : List.of("A", "B")) {
            for (int i = 0; i < records; i++) {
                String id = String.format("00350000%07d", i);
                burst.add(new TestEvents.Event(Topics.RECORDS, "evt_" + java.util.UUID.randomUUID(), name.equals("A") ? "record.created" : "record.updated",
                        org, aggregate + id, event(org, source.id, id, i + "@example.com", name)));
            }
        }
        String first = String.format("00350000%07d", 0);
        String refused = "003500009999999";
        burst.add(new TestEvents.Event(Topics.RECORDS, "evt_" + java.util.UUID.randomUUID(), "record.deleted", org, aggregate + first,
                event(org, source.id, first, null, null)));
        burst.add(new TestEvents.Event(Topics.RECORDS, "evt_" + java.util.UUID.randomUUID(), "record.created", org, aggregate + first,
                event(org, source.id, first, "0@example.com", "C")));
        burst.add(new TestEvents.Event(Topics.RECORDS, "evt_" + java.util.UUID.randomUUID(), "record.created", org, aggregate + refused,
                event(org, source.id, refused, "refused@example.com", "R")));
        TestEvents.publishAll(burst);

        await("every change counted", () -> {
            var counted = realtime(org, syncId);
            return counted.getInt("written") + counted.getInt("deleted") + counted.getInt("skipped") + counted.getInt("failed") == burst.size();
        });
        var counted = realtime(org, syncId);
        assertEquals(List.of(2 * records + 1, 1, 0, 1),
                List.of(counted.getInt("written"), counted.getInt("deleted"), counted.getInt("skipped"), counted.getInt("failed")));
        assertEquals(refused, counted.getString("errors[0].key"));
        Map<String, Map<String, Object>> table = destination.written("raw.contacts");
        assertEquals(records, table.size());
        assertEquals("C", table.get(first).get("first_name"), "created again after its delete");
        for (int i = 1; i < records; i++) {
            assertEquals("B", table.get(String.format("00350000%07d", i)).get("first_name"));
        }
        // One change a write was one HTTP call and one transaction per change; consecutive changes now share a write.
        int writes = destination.writes.size() - writesBefore;
        assertThat("writes for " + burst.size() + " changes", writes, lessThan(burst.size() / 2));
    }

    @Test
    void a_change_the_sync_cannot_apply_any_more_is_a_failure_the_sync_shows() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "email_address", "first_name");
        String syncId = realtimeSync(org, "Dropped, realtime", source.id, destination.id, List.of(), "Id>sf_id", "Email>email_address");

        // Dropped, on a system that cannot create it again (a database would: the plan recreates a missing destination).
        destination.drop("raw.contacts");
        destination.creatable = false;
        String id = "003999999999301";
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/" + id, event(org, source.id, id, "x@example.com", "X"));
        await("the failure counted", () -> realtime(org, syncId).getInt("failed") == 1);
        assertEquals(id, realtime(org, syncId).getString("errors[0].key"));
        assertThat(realtime(org, syncId).getString("errors[0].reason"), allOf(containsString("the sync cannot run"), containsString("raw.contacts")));
        assertEquals(false, destination.written("raw.contacts").containsKey(id));
    }

    /**
     * A realtime sync of the source's Contact into the destination's raw.contacts, keyed by sf_id, with these filters and
     * mappings ({@code "Id>sf_id"}); answers its id once its first run (the snapshot) succeeded.
     */
    private static String realtimeSync(String org, String name, String sourceId, String destinationId, List<String> filters, String... mappings)
            throws InterruptedException {
        String syncId = as(org).body(realtimeBody(name, sourceId, destinationId, filters, mappings)).post("/v1/syncs").then().statusCode(201)
                .extract().path("id");
        String snapshot = as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).extract().path("data[0].id");
        assertEquals("succeeded", Runs.awaitFinal(org, snapshot).getString("status"));
        return syncId;
    }

    /** The body of a realtime sync of the source's Contact into raw.contacts, keyed by sf_id. */
    private static Map<String, Object> realtimeBody(String name, String sourceId, String destinationId, List<String> filters, String... mappings) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("name", name);
        body.put("source", Map.of("connection_id", sourceId, "object", "Contact"));
        body.put("destination", Map.of("connection_id", destinationId, "table", "raw.contacts", "key", List.of("sf_id")));
        body.put("schedule", "realtime");
        body.put("filters", filters);
        body.put("field_mappings", java.util.Arrays.stream(mappings).map(m -> Map.of("source", m.split(">")[0], "destination", m.split(">")[1])).toList());
        return body;
    }

    private static io.restassured.path.json.JsonPath realtime(String org, String syncId) {
        return new io.restassured.path.json.JsonPath(as(org).get("/v1/syncs/" + syncId).then().statusCode(200).extract().asString())
                .setRootPath("realtime");
    }

    @Test
    void a_changes_decimal_reaches_the_destination_with_every_digit() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "sf_id", "annual_revenue:number");
        String syncId = realtimeSync(org, "Revenue, realtime", source.id, destination.id, List.of(), "Id>sf_id", "AnnualRevenue>annual_revenue");

        String id = "003999999999101";
        // A change event's numerics are exact JSON numbers (docs/changes.md); read as a double this one would lose its last digits.
        String event = event(org, source.id, id, "x@example.com", "X").replace("\"FirstName\":\"X\"", "\"AnnualRevenue\":123456789012345678.9012");
        TestEvents.publish(Topics.RECORDS, "record.created", org, source.id + "/Contact/" + id, event);
        await("the insert", () -> destination.written("raw.contacts").containsKey(id));
        assertEquals(new java.math.BigDecimal("123456789012345678.9012"), destination.written("raw.contacts").get(id).get("annual_revenue"));
    }

    @Test
    void a_source_that_cannot_stream_is_refused_for_realtime() {
        String org = Api.newOrg();
        var source = Api.salesforce(org);
        var destination = Api.warehouse(org);
        source.streamable = false;
        as(org).body(Api.seedSync(source.id, destination.id, "realtime")).post("/v1/syncs").then().statusCode(400)
                .body("error.details.field", equalTo("schedule"))
                .body("error.message", containsString("Contact cannot stream them: this provider has no change capture"));
        // Scheduled by the clock instead, the same sync is fine.
        as(org).body(Api.seedSync(source.id, destination.id, "hourly")).post("/v1/syncs").then().statusCode(201);
    }
}
