package dev.weft.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.sync.support.Runs;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/syncs/{id}/run} with {@code {"full_refresh": true}} (issue 12): an upsert sync's run reads the whole
 * source from the start and deletes, through the mirror's delete phase, exactly the destination keys the source no
 * longer has; the next incremental run goes on from where that read ended. Insert syncs and bad bodies are 400s.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
class SyncFullRefreshTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource dataSource;

    /** The seed's sync, manual, as an upsert keyed by email into {@code destination}. */
    private static String upsertSync(String org, String source, String destination) {
        Map<String, Object> body = new HashMap<>(Api.seedSync(source, destination, null));
        body.put("destination", Map.of("connection_id", destination, "table", "raw.contacts", "key", List.of("email_address"), "mode", "upsert"));
        return as(org).body(body).post("/v1/syncs").then().statusCode(201).extract().path("id");
    }

    private static String email(int i) {
        return "person" + i + "@example.com";
    }

    /** The source's contacts 0..n-1 without the ones at {@code deleted}. */
    private static List<Map<String, Object>> contactsWithout(int n, Set<Integer> deleted) {
        List<Map<String, Object>> rows = new ArrayList<>(Runs.contacts(n));
        rows.removeIf(row -> deleted.stream().anyMatch(i -> email(i).equals(row.get("Email"))));
        return rows;
    }

    private static JsonPath runToEnd(String org, String syncId, String body) throws InterruptedException {
        var request = as(org);
        if (body != null) {
            request = request.body(body);
        }
        String runId = request.post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        return Runs.awaitFinal(org, runId);
    }

    @Test
    void a_full_refresh_deletes_exactly_what_the_source_deleted_and_the_next_run_goes_on_from_its_cursor() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(30));
        var destination = Api.keyedWarehouse(org);
        String syncId = upsertSync(org, source.id, destination.id);

        JsonPath first = runToEnd(org, syncId, null);
        assertEquals("succeeded", first.getString("status"));
        assertEquals(30, first.getLong("progress.written"));
        assertEquals(false, first.getBoolean("full_refresh"));

        // Three contacts deleted at the source: an incremental run reads after its cursor and never sees them go.
        Set<Integer> deleted = Set.of(3, 11, 27);
        source.rows("Contact", contactsWithout(30, deleted));
        JsonPath incremental = runToEnd(org, syncId, "{}");
        assertEquals("succeeded", incremental.getString("status"));
        assertEquals(0, incremental.getLong("progress.read"));
        assertEquals(0, incremental.getLong("progress.deleted"));
        assertEquals(30, destination.written("raw.contacts").size(), "the deleted contacts are still in the destination");
        assertTrue(destination.deletedKeys("email_address").isEmpty());

        int readsBefore = source.reads.size();
        try (TopicProbe events = new TopicProbe(Topics.SYNCS)) {
            String runId = as(org).body("{\"full_refresh\": true}").post("/v1/syncs/" + syncId + "/run").then().statusCode(202)
                    .body("full_refresh", equalTo(true)).body("status", equalTo("queued")).extract().path("id");
            JsonPath full = Runs.awaitFinal(org, runId);
            assertEquals("succeeded", full.getString("status"));
            assertEquals(true, full.getBoolean("full_refresh"));
            assertEquals(27, full.getLong("progress.read"), "the whole source, from the start");
            assertEquals(27, full.getLong("progress.written"));
            assertEquals(3, full.getLong("progress.deleted"));
            assertNull(source.reads.get(readsBefore).get("cursor"), "read from the start, not from the sync's cursor");

            // Both events say it was a full refresh, and match the public catalog (the probe reads the topic from its start:
            // this run's events only).
            List<ConsumerRecord<String, byte[]>> published = events.await(r -> syncId.equals(r.key())
                    && new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).contains("\"" + runId + "\""), 2, Duration.ofSeconds(30));
            assertEquals(Set.of("sync.started", "sync.completed"),
                    Set.copyOf(published.stream().map(r -> TopicProbe.header(r, "ce_type")).toList()));
            for (ConsumerRecord<String, byte[]> record : published) {
                String type = TopicProbe.header(record, "ce_type");
                JsonNode data = JSON.readTree(record.value());
                assertEquals(runId, data.path("id").asText(), type);
                assertTrue(data.path("full_refresh").asBoolean(), type + " " + data);
                assertEquals(Set.of(), SyncEventsTest.violations(type, data), type + " " + data);
                if (type.equals("sync.completed")) {
                    assertEquals(3, data.path("stats").path("records_deleted").asLong());
                }
            }
        }
        assertEquals(new TreeSet<>(List.of(email(3), email(11), email(27))), destination.deletedKeys("email_address"), "exactly the deleted ones");
        TreeSet<String> expected = new TreeSet<>();
        contactsWithout(30, deleted).forEach(row -> expected.add((String) row.get("Email")));
        assertEquals(expected, new TreeSet<>(destination.written("raw.contacts").keySet()));

        // The run list and the run show which runs were full refreshes, newest first.
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .body("data", hasSize(3))
                .body("data.full_refresh", equalTo(List.of(true, false, false)));

        // Two contacts are added: the next run is incremental again, from where the full read ended.
        List<Map<String, Object>> grown = contactsWithout(32, deleted);
        source.rows("Contact", grown);
        readsBefore = source.reads.size();
        JsonPath next = runToEnd(org, syncId, null);
        assertEquals("succeeded", next.getString("status"));
        assertEquals(false, next.getBoolean("full_refresh"));
        assertEquals(2, next.getLong("progress.read"), "only the new contacts");
        assertEquals(0, next.getLong("progress.deleted"));
        assertEquals("pos:27", source.reads.get(readsBefore).get("cursor"), "the cursor the full read reached");
        assertEquals(3, destination.deletedKeys("email_address").size(), "no further deletes");
        assertTrue(destination.written("raw.contacts").keySet().containsAll(List.of(email(30), email(31))));
    }

    @Test
    void a_full_refresh_of_an_insert_sync_is_refused() {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        var destination = Api.warehouse(org);
        // No key anywhere: the sync inserts.
        String syncId = as(org).body(Api.seedSync(source.id, destination.id, null)).post("/v1/syncs").then().statusCode(201)
                .body("destination.mode", equalTo("insert")).extract().path("id");
        as(org).body("{\"full_refresh\": true}").post("/v1/syncs/" + syncId + "/run").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST"))
                .body("error.details.field", equalTo("full_refresh"))
                .body("error.message", containsString("full_refresh needs a key to compare"));
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(0));
        assertTrue(source.reads.isEmpty());
    }

    @Test
    void a_full_refresh_into_a_table_without_a_primary_key_is_refused() {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        // Upsert by a named key works without a primary key; deleting while paging does not (as for a mirror).
        var destination = Api.warehouse(org);
        String syncId = upsertSync(org, source.id, destination.id);
        as(org).body("{\"full_refresh\": true}").post("/v1/syncs/" + syncId + "/run").then().statusCode(400)
                .body("error.details.field", equalTo("full_refresh"))
                .body("error.message", containsString("full_refresh needs a destination with a primary key"));
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(0));
    }

    @Test
    void bad_bodies_are_400s_and_no_body_is_an_ordinary_run() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        var destination = Api.keyedWarehouse(org);
        String syncId = upsertSync(org, source.id, destination.id);
        String path = "/v1/syncs/" + syncId + "/run";
        // Jackson alone would take "true" and 1 for true: a boolean must be one.
        for (String body : List.of("{\"full_refresh\": \"true\"}", "{\"full_refresh\": 1}", "{\"full_refresh\": {}}")) {
            as(org).body(body).post(path).then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                    .body("error.details.field", equalTo("full_refresh")).body("error.details.constraint", equalTo("type"));
        }
        as(org).body("{\"fullRefresh\": true}").post(path).then().statusCode(400)
                .body("error.details.field", equalTo("fullRefresh")).body("error.details.constraint", equalTo("unknown_field"))
                .body("error.message", equalTo("Unknown field fullRefresh"));
        for (String body : List.of("[true]", "true", "\"full_refresh\"")) {
            as(org).body(body).post(path).then().statusCode(400).body("error.details.field", equalTo("body"));
        }
        as(org).body("{\"full_refresh\": tru").post(path).then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).get("/v1/syncs/" + syncId + "/runs").then().statusCode(200).body("data", hasSize(0));

        JsonPath explicit = runToEnd(org, syncId, "{\"full_refresh\": false}");
        assertEquals(false, explicit.getBoolean("full_refresh"));
        // As `curl -X POST` sends it: no body and no Content-Type (REST Assured would add a type of its own).
        HttpResponse<String> bare = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .header("Authorization", TestCredentials.bearerOnPlan(org, "enterprise", "syncs:read", "syncs:write"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, bare.statusCode(), bare.body());
        JsonPath queued = new JsonPath(bare.body());
        assertEquals(false, queued.getBoolean("full_refresh"));
        assertEquals("succeeded", Runs.awaitFinal(org, queued.getString("id")).getString("status"));
    }

    @Test
    void a_mirror_run_is_always_a_full_refresh() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(5));
        var destination = Api.keyedWarehouse(org);
        Map<String, Object> body = new HashMap<>(Api.seedSync(source.id, destination.id, null));
        body.put("destination", Map.of("connection_id", destination.id, "table", "raw.contacts", "key", List.of("email_address"), "mode", "mirror"));
        String syncId = as(org).body(body).post("/v1/syncs").then().statusCode(201).extract().path("id");
        JsonPath plain = runToEnd(org, syncId, null);
        assertEquals(true, plain.getBoolean("full_refresh"), "a mirror's run reads everything whether asked or not");
        source.rows("Contact", Runs.contacts(4));
        JsonPath asked = runToEnd(org, syncId, "{\"full_refresh\": true}");
        assertEquals("succeeded", asked.getString("status"));
        assertEquals(true, asked.getBoolean("full_refresh"));
        assertEquals(4, asked.getLong("progress.read"));
        assertEquals(1, asked.getLong("progress.deleted"));
        assertEquals(Set.of(email(4)), destination.deletedKeys("email_address"));
    }

    @Test
    void a_full_refresh_killed_while_deleting_resumes_from_its_delete_checkpoint() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(10));
        var destination = Api.keyedWarehouse(org);
        String syncId = upsertSync(org, source.id, destination.id);
        // What a replica killed -9 while deleting leaves: the source read whole (its 10 keys recorded), the destination paged
        // up to person5 with the five gone keys before it deleted and counted, the five after it (zz...) still there.
        Map<String, Map<String, Object>> table = destination.written.computeIfAbsent("raw.contacts", o -> new java.util.concurrent.ConcurrentHashMap<>());
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            kept.add(email(i));
        }
        List<String> gone = List.of("zz0@gone.example.com", "zz1@gone.example.com", "zz2@gone.example.com", "zz3@gone.example.com",
                "zz4@gone.example.com");
        for (String e : kept) {
            table.put(e, Map.of("email_address", e, "first_name", "Old"));
        }
        for (String e : gone) {
            table.put(e, Map.of("email_address", e, "first_name", "Old"));
        }
        UUID runUuid = TypeId.uuidV7();
        try (Connection db = dataSource.getConnection()) {
            // The run and its recorded keys in one transaction: a worker may claim the run (its lease has run out) the
            // moment it is visible, and with no keys yet it would take every destination row for a deleted one.
            db.setAutoCommit(false);
            try (PreparedStatement run = db.prepareStatement("""
                    INSERT INTO sync_runs (id, org_id, sync_id, status, trigger, full_refresh, records_read, records_written, records_deleted, batches,
                        cursor_start, cursor, phase, delete_cursor, lease_until, lease_owner, attempts, queued_at, started_at, created_at, updated_at)
                    VALUES (?, ?, ?, 'running', 'manual', true, 10, 10, 5, 1, 'pos:7', 'pos:10', 'delete', 'key:person5@example.com',
                        now() - interval '1 second', 'dead-replica/1', 1, now() - interval '1 minute', now() - interval '1 minute',
                        now() - interval '1 minute', now())""")) {
                run.setObject(1, runUuid);
                run.setString(2, org);
                run.setObject(3, TypeId.parse("sync", syncId).orElseThrow());
                run.executeUpdate();
            }
            try (PreparedStatement keys = db.prepareStatement("INSERT INTO sync_run_keys (run_id, key) VALUES (?, ?)")) {
                for (String e : kept) {
                    keys.setObject(1, runUuid);
                    keys.setString(2, "[\"" + e + "\"]");
                    keys.addBatch();
                }
                keys.executeBatch();
            }
            db.commit();
        }
        JsonPath run = Runs.awaitFinal(org, TypeId.format("run", runUuid));
        assertEquals("succeeded", run.getString("status"));
        assertEquals(true, run.getBoolean("full_refresh"));
        assertEquals(10, run.getLong("progress.deleted"), "the five before the kill and the five after, each once");
        assertTrue(source.reads.isEmpty(), "no source read: the run resumed in its delete phase");
        assertEquals("key:person5@example.com", destination.reads.getFirst().get("cursor"));
        assertEquals(new TreeSet<>(gone), destination.deletedKeys("email_address"));
        assertEquals(new TreeSet<>(kept), new TreeSet<>(destination.written("raw.contacts").keySet()));
    }
}
