package dev.weft.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.Topics;
import dev.weft.platform.services.SmileWire;
import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.sync.support.Runs;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs end to end: POST /v1/syncs/{id}/run queues, the worker moves the records through the internal read and write
 * (a WireMock stand-in for connections-service checking every request), counts land on the run, per-record refusals
 * make it partially_succeeded, a run whose replica died resumes from its checkpoint, and the events are on Kafka.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
class SyncRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource dataSource;

    private static String createSync(String org, Map<String, Object> body) {
        return as(org).body(body).post("/v1/syncs").then().statusCode(201).extract().path("id");
    }

    /** Seed 000's sync, run by hand: an insert into raw.contacts, which has no key. */
    private static Map<String, Object> insertSync(String source, String destination) {
        Map<String, Object> body = new HashMap<>(Api.seedSync(source, destination, null));
        body.remove("schedule");
        return body;
    }

    private static Map<String, Object> upsertSync(String source, String destination) {
        Map<String, Object> body = insertSync(source, destination);
        body.put("destination", Map.of("connection_id", destination, "table", "raw.contacts", "key", List.of("email_address"), "mode", "upsert"));
        return body;
    }

    @Test
    void a_run_moves_every_record_with_exact_counts_and_publishes_its_events() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2_500));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, insertSync(source.id, destination.id));
        try (TopicProbe events = new TopicProbe(Topics.SYNCS)) {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202)
                    .body("id", startsWith("run_")).body("status", equalTo("queued")).body("trigger", equalTo("manual"))
                    .extract().path("id");
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("succeeded", run.getString("status"));
            assertEquals(2_500, run.getLong("progress.read"));
            assertEquals(2_500, run.getLong("progress.written"));
            assertEquals(2_500, run.getLong("progress.created"));
            assertEquals(0, run.getLong("progress.failed"));
            assertEquals(0, run.getLong("progress.skipped"));
            assertEquals(3, run.getInt("batches"));
            assertEquals(100, run.getInt("progress.percent"), "the source counted 2,500 records first");
            assertNull(run.get("progress.eta"), "no ETA once finished");
            assertTrue(run.getLong("timings.duration_ms") >= 0);

            Map<String, Map<String, Object>> written = destination.written("raw.contacts");
            assertEquals(2_500, written.size());
            Map<String, Object> one = written.values().stream().filter(r -> "person7@example.com".equals(r.get("email_address"))).findFirst().orElseThrow();
            assertEquals(Map.of("email_address", "person7@example.com", "first_name", "First7"), one, "only the mapped fields, renamed");
            // Reads asked for the mapped fields (and the cursor and key) only, in batches of 1000, each after the previous cursor.
            assertEquals(3, source.reads.size());
            assertNull(source.reads.get(0).get("cursor"));
            assertEquals("pos:1000", source.reads.get(1).get("cursor"));
            assertEquals(List.of("Email", "FirstName", "SystemModstamp", "Id"), source.reads.get(0).get("fields"));

            List<ConsumerRecord<String, byte[]>> published = events.await(r -> syncId.equals(r.key()), 2, Duration.ofSeconds(30));
            assertEquals("sync.started", TopicProbe.header(published.get(0), "ce_type"));
            assertEquals("sync.completed", TopicProbe.header(published.get(1), "ce_type"));
            JsonNode completed = JSON.readTree(published.get(1).value());
            assertEquals(runId, completed.path("id").asText());
            assertEquals("succeeded", completed.path("status").asText());
            assertEquals(2_500, completed.path("stats").path("records_written").asLong());
            assertEquals("raw.contacts", completed.path("destination").path("table").asText());
        }
        // The next run is incremental: it starts from the cursor the last batch left, and counts only what is left after it.
        source.rows("Contact", Runs.contacts(3_000));
        String second = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath again = Runs.awaitFinal(org, second);
        assertEquals(500, again.getLong("progress.read"));
        assertEquals(100, again.getInt("progress.percent"));
        assertEquals("pos:2500", source.reads.get(3).get("cursor"));
        assertEquals(2, source.counts.size());
        assertNull(source.counts.get(0).get("after"), "the first run read from the start");
        assertEquals("pos:2500", source.counts.get(1).get("after"), "the second counted after its cursor: 500 records");
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(2)).body("data[0].id", equalTo(second));
    }

    @Test
    void records_travel_as_smile_and_a_decimal_arrives_with_every_digit() throws Exception {
        String org = Api.newOrg();
        List<Map<String, Object>> rows = Runs.contacts(3);
        rows.get(0).put("AnnualRevenue", new java.math.BigDecimal("123456789012345678.9012"));
        rows.get(1).put("AnnualRevenue", new java.math.BigDecimal("0.10"));
        rows.get(2).put("AnnualRevenue", 9_007_199_254_740_993L);
        var source = Api.salesforce(org).rows("Contact", rows);
        var destination = ConnectionsStub.connection(org).object("raw.contacts", null, null, "email_address", "annual_revenue:number");
        Map<String, Object> body = insertSync(source.id, destination.id);
        body.put("field_mappings", List.of(Map.of("source", "Email", "destination", "email_address"),
                Map.of("source", "AnnualRevenue", "destination", "annual_revenue")));
        String syncId = createSync(org, body);
        String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        assertEquals("succeeded", Runs.awaitFinal(org, runId).getString("status"));
        Map<String, Map<String, Object>> written = destination.written("raw.contacts");
        Map<String, Object> revenue = new HashMap<>();
        written.values().forEach(r -> revenue.put((String) r.get("email_address"), r.get("annual_revenue")));
        // JSON text decoded untyped would have made the first a double (1.2345678901234568E17) and the second 0.1.
        assertEquals(Map.of("person0@example.com", new java.math.BigDecimal("123456789012345678.9012"),
                "person1@example.com", new java.math.BigDecimal("0.10"), "person2@example.com", 9_007_199_254_740_993L), revenue);
        assertFalse(source.batchContentTypes.isEmpty());
        assertTrue(source.batchContentTypes.stream().allMatch(SmileWire::isSmile), "reads: " + source.batchContentTypes);
        assertTrue(destination.batchContentTypes.stream().allMatch(SmileWire::isSmile), "writes: " + destination.batchContentTypes);
    }

    @Test
    void an_upsert_run_counts_created_and_updated_records_when_the_destination_tells() throws Exception {
        String org = Api.newOrg();
        List<Map<String, Object>> rows = new java.util.ArrayList<>(Runs.contacts(10));
        var source = Api.salesforce(org).rows("Contact", rows);
        var destination = Api.keyedWarehouse(org);
        destination.tellsCreated = true;
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        String first = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath run = Runs.awaitFinal(org, first);
        assertEquals(10, run.getLong("progress.created"));
        assertEquals(0, run.getLong("progress.updated"));
        // Two new contacts and two whose email is already at the destination (new source ids: the key is the email).
        List<Map<String, Object>> more = Runs.contacts(14).subList(10, 14);
        more.get(2).put("Email", "person0@example.com");
        more.get(3).put("Email", "person1@example.com");
        rows.addAll(more);
        source.rows("Contact", rows);
        String second = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        run = Runs.awaitFinal(org, second);
        assertEquals(4, run.getLong("progress.written"));
        assertEquals(2, run.getLong("progress.created"));
        assertEquals(2, run.getLong("progress.updated"));
        assertEquals(12, destination.written("raw.contacts").size());
    }

    @Test
    void a_sync_reads_by_the_cursor_field_it_chose_and_another_one_starts_the_next_run_from_the_beginning() throws Exception {
        String org = Api.newOrg();
        var source = ConnectionsStub.connection(org).object("Contact", List.of("Id"), "SystemModstamp",
                        "Id", "Email", "FirstName", "LastModifiedDate:datetime", "SystemModstamp:datetime")
                .cursorFields("Contact", "SystemModstamp", "LastModifiedDate").rows("Contact", Runs.contacts(30));
        var destination = Api.warehouse(org);
        Map<String, Object> body = insertSync(source.id, destination.id);
        // A field describe does not offer as a cursor field is refused, naming those it does.
        body.put("source", Map.of("connection_id", source.id, "object", "Contact", "cursor_field", "Email"));
        as(org).body(body).post("/v1/syncs").then().statusCode(400).body("error.details.field", equalTo("source.cursor_field"))
                .body("error.message", containsString("[SystemModstamp, LastModifiedDate]"));
        body.put("source", Map.of("connection_id", source.id, "object", "Contact", "cursor_field", "lastmodifieddate"));
        String syncId = createSync(org, body);
        as(org).get("/v1/syncs/" + syncId).then().statusCode(200).body("source.cursor_field", equalTo("LastModifiedDate"));

        String first = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        assertEquals(30, Runs.awaitFinal(org, first).getLong("progress.read"));
        assertEquals("LastModifiedDate", source.reads.get(0).get("cursor_field"));
        assertEquals(List.of("Email", "FirstName", "LastModifiedDate", "Id"), source.reads.get(0).get("fields"), "the chosen field is read, not the default");
        source.rows("Contact", Runs.contacts(40));
        String second = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        assertEquals(10, Runs.awaitFinal(org, second).getLong("progress.read"));
        Map<String, Object> resumed = source.reads.get(1);
        assertEquals("pos:30", resumed.get("cursor"));
        assertEquals("LastModifiedDate", resumed.get("cursor_field"));
        assertEquals("LastModifiedDate", source.counts.getLast().get("cursor_field"), "counted after its cursor, read by that field");

        // The cursor is a position by one field: while a run moves it, the field cannot change.
        source.gate = new CountDownLatch(1);
        try {
            String held = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            as(org).body(Map.of("source", Map.of("cursor_field", "SystemModstamp"))).patch("/v1/syncs/" + syncId).then().statusCode(409)
                    .body("error.code", equalTo("CONFLICT")).body("error.details.run_id", equalTo(held));
            source.gate.countDown();
            assertEquals("succeeded", Runs.awaitFinal(org, held).getString("status"));
        } finally {
            source.gate.countDown();
            source.gate = null;
        }
        // Another cursor field: the next run reads from the beginning, by it.
        as(org).body(Map.of("source", Map.of("cursor_field", "SystemModstamp"))).patch("/v1/syncs/" + syncId).then().statusCode(200)
                .body("source.cursor_field", equalTo("SystemModstamp"));
        int before = source.reads.size();
        String fourth = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        assertEquals(40, Runs.awaitFinal(org, fourth).getLong("progress.read"));
        assertNull(source.reads.get(before).get("cursor"));
        assertEquals("SystemModstamp", source.reads.get(before).get("cursor_field"));
        // Other edits leave the cursor where it is.
        as(org).body(Map.of("name", "renamed")).patch("/v1/syncs/" + syncId).then().statusCode(200);
        String fifth = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        assertEquals(0, Runs.awaitFinal(org, fifth).getLong("progress.read"));
        assertEquals("pos:40", source.reads.getLast().get("cursor"));
    }

    @Test
    void a_run_that_began_before_its_sync_read_another_source_does_not_put_its_cursor_back() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(10));
        var destination = Api.keyedWarehouse(org);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        UUID syncUuid = dev.weft.platform.id.TypeId.parse("sync", syncId).orElseThrow();
        source.gate = new CountDownLatch(1);
        try {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            awaitAtLeast(source.reads, 1);
            // What a PATCH of the cursor field leaves when it commits just as the run starts (after its check for runs): the
            // sync reads by another field, from no cursor. The run, planned before, must not bring its position back.
            try (Connection db = dataSource.getConnection();
                 PreparedStatement patch = db.prepareStatement(
                         "UPDATE syncs SET source = jsonb_set(source::jsonb, '{cursor_field}', '\"LastModifiedDate\"')::text, cursor = NULL WHERE id = ?")) {
                patch.setObject(1, syncUuid);
                assertEquals(1, patch.executeUpdate());
            }
            source.gate.countDown();
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("succeeded", run.getString("status"));
            assertEquals(10, run.getLong("progress.written"), "the run itself goes on, and its cursor is its own");
        } finally {
            source.gate.countDown();
            source.gate = null;
        }
        try (Connection db = dataSource.getConnection();
             PreparedStatement cursor = db.prepareStatement("SELECT cursor FROM syncs WHERE id = ?")) {
            cursor.setObject(1, syncUuid);
            try (java.sql.ResultSet row = cursor.executeQuery()) {
                assertTrue(row.next());
                assertNull(row.getString(1), "the sync's cursor stays dropped");
            }
        }
    }

    @Test
    void a_second_run_while_one_is_in_progress_is_a_409_naming_it() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(10));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        source.gate = new CountDownLatch(1);
        try {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(409)
                    .body("error.code", equalTo("CONFLICT")).body("error.details.run_id", equalTo(runId));
            source.gate.countDown();
            assertEquals("succeeded", Runs.awaitFinal(org, runId).getString("status"));
            as(org).post("/v1/runs/" + runId + "/cancel").then().statusCode(409).body("error.code", equalTo("INVALID_STATUS_TRANSITION"));
        } finally {
            source.gate.countDown();
            source.gate = null;
        }
        assertEquals(10, destination.written("raw.contacts").size());
    }

    @Test
    void filtered_records_are_skipped_and_refused_ones_make_the_run_partially_succeed() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(1_200));
        var destination = Api.warehouse(org).refusing(record -> String.valueOf(record.get("email_address")).startsWith("person1")
                && String.valueOf(record.get("email_address")).length() == "person1@example.com".length());
        Map<String, Object> body = new HashMap<>(upsertSync(source.id, destination.id));
        body.put("filters", List.of("Industry = 'Technology'"));
        String syncId = createSync(org, body);
        try (TopicProbe events = new TopicProbe(Topics.SYNCS)) {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("partially_succeeded", run.getString("status"));
            assertEquals(1_200, run.getLong("progress.read"));
            assertEquals(400, run.getLong("progress.skipped"), "every third row is Retail");
            assertEquals(1, run.getLong("progress.failed"), "person1 is refused");
            assertEquals(799, run.getLong("progress.written"));
            assertEquals(1, run.getList("errors").size());
            assertEquals("003000000000001", run.getString("errors[0].key"));
            assertEquals("value rejected by the destination", run.getString("errors[0].reason"));
            JsonNode completed = JSON.readTree(events.await(r -> syncId.equals(r.key()) && "sync.completed".equals(TopicProbe.header(r, "ce_type")), 1,
                    Duration.ofSeconds(30)).getFirst().value());
            assertEquals("partially_succeeded", completed.path("status").asText());
            assertEquals(1, completed.path("stats").path("records_failed").asLong());
        }
        assertEquals(799, destination.written("raw.contacts").size());
    }

    @Test
    void the_seeds_javascript_transform_and_a_jsonata_field_transform_run_on_every_record() throws Exception {
        String org = Api.newOrg();
        List<Map<String, Object>> rows = Runs.contacts(1_500);
        for (int i = 0; i < rows.size(); i++) {
            rows.get(i).put("Phone", "(555) 123-" + String.format("%04d", i));
        }
        var source = Api.salesforce(org).rows("Contact", rows);
        var destination = ConnectionsStub.connection(org).object("raw.contacts", List.of("email_address"), null, "email_address", "first_name", "Phone");
        // Seed 000's "Format Phone Numbers", as written.
        String code = "module.exports = (record) => { if (record.Phone) { record.Phone = record.Phone.replace(/[^0-9]/g, ''); "
                + "if (record.Phone.length === 10) { record.Phone = '+1' + record.Phone; } } return record; };";
        String transform = as(org).body(Map.of("name", "Format Phone Numbers", "type", "javascript", "code", code))
                .post("/v1/transforms").then().statusCode(201).extract().path("id");
        Map<String, Object> body = new HashMap<>(upsertSync(source.id, destination.id));
        body.put("destination", Map.of("connection_id", destination.id, "table", "raw.contacts", "key", List.of("email_address")));
        body.put("transform_id", transform);
        body.put("field_mappings", List.of(Map.of("source", "Email", "destination", "email_address"),
                Map.of("source", "FirstName", "destination", "first_name", "transform", "$uppercase(FirstName) & ' ' & LastName"),
                Map.of("source", "Phone", "destination", "Phone")));
        String syncId = createSync(org, body);
        String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath run = Runs.awaitFinal(org, runId);
        assertEquals("succeeded", run.getString("status"));
        assertEquals(1_500, run.getLong("progress.written"));
        Map<String, Object> one = destination.written("raw.contacts").get("person7@example.com");
        assertEquals(Map.of("email_address", "person7@example.com", "first_name", "FIRST7 Last7", "Phone", "+15551230007"), one);

        // Unknown transforms and field expressions that do not compile are refused when the sync is saved.
        Map<String, Object> unknown = new HashMap<>(body);
        unknown.put("transform_id", "tfm_01h455vb4pex5vsknk084sn02q");
        as(org).body(unknown).post("/v1/syncs").then().statusCode(400).body("error.details.field", equalTo("transform_id"));
        Map<String, Object> broken = new HashMap<>(body);
        broken.remove("transform_id");
        broken.put("field_mappings", List.of(Map.of("source", "Email", "destination", "email_address", "transform", "$uppercase(")));
        as(org).body(broken).post("/v1/syncs").then().statusCode(400).body("error.details.field", equalTo("field_mappings[0].transform"));
        broken.put("field_mappings", List.of(Map.of("source", "Email", "destination", "email_address", "transform", "(".repeat(5_000) + "$" + ")".repeat(5_000))));
        as(org).body(broken).post("/v1/syncs").then().statusCode(400).body("error.details.field", equalTo("field_mappings[0].transform"));
    }

    @Test
    void a_batchs_transform_failures_are_stored_with_its_own_checkpoint() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2_000));
        var destination = Api.warehouse(org);
        Map<String, Object> body = new HashMap<>(upsertSync(source.id, destination.id));
        // One record of each batch fails its field transform; the second batch is read and transformed while the first is written.
        body.put("field_mappings", List.of(Map.of("source", "Email", "destination", "email_address"),
                Map.of("source", "FirstName", "destination", "first_name",
                        "transform", "FirstName in ['First5', 'First1005'] ? $error('no first name for ' & FirstName) : FirstName")));
        String syncId = createSync(org, body);
        destination.writeGate = new CountDownLatch(1);
        try {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            // The second write waits: by then the second batch was transformed, and the first batch's checkpoint is stored.
            JsonPath afterFirst = awaitBatches(org, runId, 1);
            assertEquals(1, afterFirst.getLong("progress.failed"));
            assertEquals(1, afterFirst.getList("errors").size(), "the second batch's failure is not the first checkpoint's");
            assertEquals("003000000000005", afterFirst.getString("errors[0].key"));
            destination.writeGate.countDown();
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("partially_succeeded", run.getString("status"));
            assertEquals(2, run.getLong("progress.failed"));
            assertEquals(1_998, run.getLong("progress.written"));
            assertEquals(List.of("003000000000005", "003000000001005"), run.getList("errors.key"));
            assertTrue(run.getString("errors[1].reason").contains("no first name for First1005"), run.getString("errors[1].reason"));
        } finally {
            destination.writeGate.countDown();
        }
    }

    @Test
    void the_next_batches_are_read_while_one_is_written_and_no_further() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(6_000));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        destination.writeGate = new CountDownLatch(1);
        try {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            // The second write waits. Meanwhile the third and fourth batches are read and transformed (weft.sync.read-ahead
            // 2), and no other: at most three batches are in memory, however large the source.
            awaitBatches(org, runId, 1);
            awaitAtLeast(source.reads, 4);
            assertEquals(4, source.reads.size(), "the third and fourth batches read while the second is written");
            // And no fifth: nothing frees a place until the held write answers.
            Thread.sleep(500);
            assertEquals(4, source.reads.size(), "a fifth batch read before the second was written");
            assertEquals(2, destination.writes.size());
            destination.writeGate.countDown();
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("succeeded", run.getString("status"));
            assertEquals(6_000, run.getLong("progress.written"));
            assertEquals(6_000, destination.written("raw.contacts").size());
        } finally {
            destination.writeGate.countDown();
        }
    }

    /** An insert sync of 5,000 contacts (five batches) whose destination holds its second write until its gate opens. */
    private record HeldInsert(String org, ConnectionsStub.Connection source, ConnectionsStub.Connection destination, String syncId)
            implements AutoCloseable {
        /** Asks for a run; its id. */
        String start() {
            return as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        }

        /** Lets the held write answer, then the run must succeed with every record written once. */
        JsonPath release(String runId) throws InterruptedException {
            destination.writeGate.countDown();
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("succeeded", run.getString("status"));
            assertEquals(5_000, run.getLong("progress.written"));
            assertEquals(0, run.getLong("progress.failed"));
            assertEquals(5_000, destination.written("raw.contacts").size(), "records written at the destination");
            return run;
        }

        /** Whatever the test found, the held write answers: no run is left waiting on the stub. */
        @Override
        public void close() {
            destination.writeGate.countDown();
        }
    }

    /** The second batch's write (batches of 1,000 in tests): the one whose first record is the 1,001st contact. */
    private static final java.util.function.Predicate<Map<String, Object>> SECOND_BATCH = first -> "person1000@example.com".equals(first.get("email_address"));

    private static HeldInsert insertWithSecondWriteHeld(String org) {
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(5_000));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, insertSync(source.id, destination.id));
        destination.heldWrite = SECOND_BATCH;
        destination.writeGate = new CountDownLatch(1);
        return new HeldInsert(org, source, destination, syncId);
    }

    @Test
    void an_insert_run_writes_two_batches_at_once_and_checkpoints_them_in_order() throws Exception {
        // The second write waits; the third is sent beside it and answered first.
        try (HeldInsert held = insertWithSecondWriteHeld(Api.newOrg())) {
            String org = held.org();
            String runId = held.start();
            awaitBatches(org, runId, 1);
            awaitAtLeast(held.destination().writes, 3);
            assertEquals(3, held.destination().writes.size(), "the third batch written while the second is");
            // The third batch is written, but its checkpoint waits for the second's: the cursor never passes a batch not written.
            Thread.sleep(500);
            JsonPath waiting = as(org).get("/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
            assertEquals(1, waiting.getInt("batches"), "a batch checkpointed before the one before it");
            assertEquals(1_000, waiting.getLong("progress.written"));
            // No third write at once, and the two batches after them read ahead: all five read, none written.
            assertEquals(3, held.destination().writes.size());
            assertEquals(5, held.source().reads.size(), "batches read ahead of the writes");
            JsonPath run = held.release(runId);
            assertEquals(5, run.getInt("batches"));
            assertEquals(5_000, run.getLong("progress.created"));
        }
    }

    @Test
    void a_batch_that_cannot_be_read_is_handed_back_after_the_writes_already_sent() throws Exception {
        // The second write waits, the third goes beside it, and the fourth batch's read fails while both are out.
        try (HeldInsert held = insertWithSecondWriteHeld(Api.newOrg())) {
            held.source().failedRead = 4;
            String runId = held.start();
            awaitAtLeast(held.source().reads, 4);
            awaitAtLeast(held.destination().writes, 3);
            assertEquals(4, held.source().reads.size());
            held.release(runId);
            // The two writes out when the read failed were checkpointed first: the resumed run sent neither again.
            assertEquals(5, held.destination().writes.size(), "batches written again after the run resumed");
            assertEquals(6, held.source().reads.size(), "the resumed run read from before the batches already written");
        }
    }

    @Test
    void a_write_that_fails_while_the_next_is_out_is_sent_again_alone_and_nothing_twice() throws Exception {
        // The second write waits, the third goes beside it and is written; then the second is answered 503.
        try (HeldInsert held = insertWithSecondWriteHeld(Api.newOrg())) {
            held.destination().failedWrite = SECOND_BATCH;
            String runId = held.start();
            awaitAtLeast(held.destination().writes, 3);
            JsonPath run = held.release(runId);
            assertEquals(5, run.getInt("batches"));
            // The second batch was sent once more, alone; the third, already written, was not sent again, and the run was
            // not handed back (no batch read twice).
            assertEquals(6, held.destination().writes.size(), "writes sent");
            assertEquals(5, held.source().reads.size(), "batches read");
        }
    }

    @Test
    void a_batch_the_destination_committed_but_whose_answer_was_lost_is_not_written_twice_without_a_key() throws Exception {
        // An insert into a destination without a key: only the write's id can tell the batch sent again from a new one.
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3_000));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, insertSync(source.id, destination.id));
        destination.answerLost = SECOND_BATCH;
        String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath run = Runs.awaitFinal(org, runId);
        assertEquals("succeeded", run.getString("status"), run.prettify());
        assertEquals(3_000, run.getLong("progress.written"), "the batch sent twice counted once");
        assertEquals(3_000, destination.written("raw.contacts").size(), "no record stored twice");
        List<String> secondBatchIds = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        synchronized (destination.writes) {
            for (Map<String, Object> write : destination.writes) {
                String id = (String) write.get("write_id");
                assertTrue(id != null && id.startsWith(runId + ":"), "every write carries an id of its run: " + id);
                ids.add(id);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> records = (List<Map<String, Object>>) write.get("records");
                if (SECOND_BATCH.test(records.getFirst())) {
                    secondBatchIds.add(id);
                }
            }
        }
        assertEquals(2, secondBatchIds.size(), "the second batch was sent again: " + secondBatchIds);
        assertEquals(secondBatchIds.get(0), secondBatchIds.get(1), "with the same id");
        assertEquals(3, ids.size(), "one id per batch");
    }

    /** Waits up to 30 s for {@code list} to hold {@code size} items (what a stub received so far). */
    private static void awaitAtLeast(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static JsonPath awaitBatches(String org, String runId, int batches) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            JsonPath run = as(org).get("/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
            if (run.getInt("batches") >= batches) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " has " + run.getInt("batches") + " batches");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void only_the_first_hundred_record_errors_are_kept() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(300));
        var destination = Api.warehouse(org).refusing(record -> true);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath run = Runs.awaitFinal(org, runId);
        assertEquals("partially_succeeded", run.getString("status"));
        assertEquals(300, run.getLong("progress.failed"));
        assertEquals(100, run.getList("errors").size());
    }

    @Test
    void a_run_whose_replica_died_resumes_from_its_checkpoint_without_duplicates() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3_000));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        UUID syncUuid = dev.weft.platform.id.TypeId.parse("sync", syncId).orElseThrow();
        // What a replica killed -9 during its third batch leaves: two batches checkpointed (counts, cursor on run and sync),
        // the third batch half written to the destination, the lease about to run out.
        for (Map<String, Object> row : Runs.contacts(2_500)) {
            destination.written.computeIfAbsent("raw.contacts", o -> new java.util.concurrent.ConcurrentHashMap<>())
                    .put(String.valueOf(row.get("Email")), Map.of("email_address", row.get("Email"), "first_name", row.get("FirstName")));
        }
        UUID runUuid = dev.weft.platform.id.TypeId.uuidV7();
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement sync = db.prepareStatement("UPDATE syncs SET cursor = 'pos:2000' WHERE id = ?")) {
                sync.setObject(1, syncUuid);
                sync.executeUpdate();
            }
            try (PreparedStatement run = db.prepareStatement("""
                    INSERT INTO sync_runs (id, org_id, sync_id, status, trigger, records_read, records_written, batches, cursor_start, cursor,
                        lease_until, lease_owner, attempts, queued_at, started_at, created_at, updated_at)
                    VALUES (?, ?, ?, 'running', 'manual', 2000, 2000, 2, NULL, 'pos:2000', now() - interval '1 second', 'dead-replica/1', 1,
                        now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute', now())""")) {
                run.setObject(1, runUuid);
                run.setString(2, org);
                run.setObject(3, syncUuid);
                run.executeUpdate();
            }
        }
        String runId = dev.weft.platform.id.TypeId.format("run", runUuid);
        try (TopicProbe events = new TopicProbe(Topics.SYNCS)) {
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("succeeded", run.getString("status"));
            assertEquals(3_000, run.getLong("progress.read"), "each record counted once");
            assertEquals(3_000, run.getLong("progress.written"));
            assertEquals(3, run.getInt("batches"));
            assertEquals(3_000, destination.written("raw.contacts").size(), "no duplicates: the replayed half batch was upserted by key");
            assertEquals(1, source.reads.size(), "one read, from the checkpoint");
            assertEquals("pos:2000", source.reads.getFirst().get("cursor"));
            List<ConsumerRecord<String, byte[]>> published = events.await(r -> syncId.equals(r.key()), 1, Duration.ofSeconds(30));
            assertEquals("sync.completed", TopicProbe.header(published.getFirst(), "ce_type"), "a resumed run does not start twice");
        }
        // A retried POST now runs again from where the run ended.
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data[0].id", equalTo(runId));
    }

    @Test
    void a_queued_or_running_run_can_be_cancelled() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2_500));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        source.gate = new CountDownLatch(1);
        try {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            // Held in its first read: running (or about to be), then asked to stop.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (source.reads.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            as(org).post("/v1/runs/" + runId + "/cancel").then().statusCode(200).body("cancel_requested", equalTo(true));
            source.gate.countDown();
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("cancelled", run.getString("status"));
            assertEquals(1_000, run.getLong("progress.written"), "stops after the batch it was writing, checkpointed");
        } finally {
            source.gate.countDown();
            source.gate = null;
        }
        assertFalse(destination.written("raw.contacts").size() > 1_000);
    }

    @Test
    void runs_of_another_org_are_not_found() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(5));
        var destination = Api.warehouse(org);
        String syncId = createSync(org, upsertSync(source.id, destination.id));
        String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        Runs.awaitFinal(org, runId);
        String other = Api.newOrg();
        as(other).post("/v1/syncs/" + syncId + "/run").then().statusCode(404);
        as(other).get("/v1/syncs/" + syncId + "/runs").then().statusCode(404);
        as(other).get("/v1/runs/" + runId).then().statusCode(404);
        as(other).post("/v1/runs/" + runId + "/cancel").then().statusCode(404);
        as(org).get("/v1/runs/run_bad").then().statusCode(404);
    }
}
