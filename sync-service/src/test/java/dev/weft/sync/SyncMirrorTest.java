package dev.weft.sync;

import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.sync.support.Runs;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mirror} syncs end to end: after reading the whole source, a run deletes from the destination exactly the keys
 * it did not see (through the internal read of the destination's keys and the internal write in delete mode, on the
 * WireMock stand-in for connections-service), counts them in progress.deleted, never deletes when it fails, and a run
 * killed while deleting resumes from its delete checkpoint.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
class SyncMirrorTest {
    @Inject
    DataSource dataSource;

    private static String mirrorSync(String org, String source, String destination) {
        Map<String, Object> body = new HashMap<>(Api.seedSync(source, destination, null));
        body.remove("schedule");
        body.put("destination", Map.of("connection_id", destination, "table", "raw.contacts", "key", List.of("email_address"), "mode", "mirror"));
        return as(org).body(body).post("/v1/syncs").then().statusCode(201).extract().path("id");
    }

    /** Puts rows in the destination as an earlier sync left them, keyed by email as the stub's upsert keys them. */
    private static void preload(ConnectionsStub.Connection destination, List<String> emails) {
        Map<String, Map<String, Object>> table = destination.written.computeIfAbsent("raw.contacts", o -> new ConcurrentHashMap<>());
        for (String email : emails) {
            table.put(email, Map.of("email_address", email, "first_name", "Old"));
        }
    }

    private static List<String> sourceEmails(int n) {
        return Runs.contacts(n).stream().map(r -> String.valueOf(r.get("Email"))).toList();
    }

    /** Emails the source no longer has, sorting between the source's own (so every destination page mixes both). */
    private static List<String> goneEmails(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "person" + i + "@gone.example.com").toList();
    }

    private long keysHeld(UUID run) throws Exception {
        try (Connection db = dataSource.getConnection(); PreparedStatement count = db.prepareStatement("SELECT count(*) FROM sync_run_keys WHERE run_id = ?")) {
            count.setObject(1, run);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Test
    void a_mirror_run_deletes_exactly_the_keys_the_source_no_longer_has() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2_500));
        // person5 is refused by the destination: its old row must stay (a failed record is not a deleted one).
        var destination = Api.keyedWarehouse(org).refusing(r -> "person5@example.com".equals(r.get("email_address")) && r.containsKey("first_name"));
        preload(destination, sourceEmails(2_500));
        preload(destination, goneEmails(700));
        String syncId = mirrorSync(org, source.id, destination.id);
        try (TopicProbe events = new TopicProbe(Topics.SYNCS)) {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("partially_succeeded", run.getString("status"), "person5 was refused");
            assertEquals(2_500, run.getLong("progress.read"));
            assertEquals(2_499, run.getLong("progress.written"));
            assertEquals(700, run.getLong("progress.deleted"));
            assertEquals(1, run.getLong("progress.failed"));
            var completed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(events.await(r -> syncId.equals(r.key())
                    && "sync.completed".equals(TopicProbe.header(r, "ce_type")), 1, Duration.ofSeconds(30)).getFirst().value());
            assertEquals(700, completed.path("stats").path("records_deleted").asLong());
            assertEquals(0, keysHeld(TypeId.parse("run", runId).orElseThrow()), "a finished run's seen keys are dropped");
        }
        assertEquals(new TreeSet<>(goneEmails(700)), destination.deletedKeys("email_address"), "exactly the missing keys, each once");
        assertEquals(new TreeSet<>(sourceEmails(2_500)), new TreeSet<>(destination.written("raw.contacts").keySet()));
        assertEquals("Old", destination.written("raw.contacts").get("person5@example.com").get("first_name"), "the refused record's row is kept");
        // The destination was read by keys only, page after page (3,200 rows in pages of 1,000).
        List<Map<String, Object>> keyReads = destination.reads;
        assertEquals(4, keyReads.size());
        assertEquals(List.of("email_address"), keyReads.getFirst().get("fields"));
        assertNull(keyReads.getFirst().get("cursor"));

        // The next run reads the whole source again (a mirror is a full read), and now has nothing to delete.
        source.rows("Contact", Runs.contacts(2_400));
        String second = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath again = Runs.awaitFinal(org, second);
        assertEquals(2_400, again.getLong("progress.read"));
        assertEquals(100, again.getLong("progress.deleted"), "the 100 rows the source dropped since");
        assertNull(source.reads.get(3).get("cursor"), "from the start, not from the last cursor");
        assertEquals(new TreeSet<>(sourceEmails(2_400)), new TreeSet<>(destination.written("raw.contacts").keySet()));
    }

    @Test
    void a_mirror_to_a_table_without_a_primary_key_is_refused() {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(1));
        var destination = Api.warehouse(org);
        Map<String, Object> body = new HashMap<>(Api.seedSync(source.id, destination.id, null));
        body.remove("schedule");
        body.put("destination", Map.of("connection_id", destination.id, "table", "raw.contacts", "key", List.of("email_address"), "mode", "mirror"));
        as(org).body(body).post("/v1/syncs").then().statusCode(400)
                .body("error.message", containsString("mirror needs a destination with a primary key"));
    }

    @Test
    void a_failed_mirror_run_deletes_nothing() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(1_500));
        var destination = Api.keyedWarehouse(org);
        preload(destination, goneEmails(50));
        String syncId = mirrorSync(org, source.id, destination.id);
        destination.rejectWrites = "permission denied for table contacts";
        String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
        JsonPath run = Runs.awaitFinal(org, runId);
        assertEquals("failed", run.getString("status"));
        assertEquals(0, run.getLong("progress.deleted"));
        assertTrue(destination.deletedKeys("email_address").isEmpty(), "no delete was sent");
        assertEquals(50, destination.written("raw.contacts").size());
        assertTrue(destination.reads.isEmpty(), "the destination's keys were never paged");
        assertEquals(0, keysHeld(TypeId.parse("run", runId).orElseThrow()));
    }

    @Test
    void a_mirror_run_cancelled_while_copying_deletes_nothing() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2_500));
        var destination = Api.keyedWarehouse(org);
        preload(destination, goneEmails(50));
        String syncId = mirrorSync(org, source.id, destination.id);
        source.gate = new java.util.concurrent.CountDownLatch(1);
        try {
            String runId = as(org).post("/v1/syncs/" + syncId + "/run").then().statusCode(202).extract().path("id");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (source.reads.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            as(org).post("/v1/runs/" + runId + "/cancel").then().statusCode(200);
            source.gate.countDown();
            JsonPath run = Runs.awaitFinal(org, runId);
            assertEquals("cancelled", run.getString("status"));
            assertEquals(0, run.getLong("progress.deleted"));
        } finally {
            source.gate.countDown();
            source.gate = null;
        }
        assertTrue(destination.deletedKeys("email_address").isEmpty(), "no delete was sent");
        assertTrue(destination.written("raw.contacts").keySet().containsAll(goneEmails(50)));
        assertTrue(destination.reads.isEmpty(), "the destination's keys were never paged");
    }

    @Test
    void a_mirror_run_killed_while_deleting_resumes_from_its_delete_checkpoint() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(30));
        var destination = Api.keyedWarehouse(org);
        String syncId = mirrorSync(org, source.id, destination.id);
        UUID syncUuid = TypeId.parse("sync", syncId).orElseThrow();
        // What a replica killed -9 while deleting leaves: the source read whole (its 30 keys recorded), the destination
        // paged up to "person20@example.com" with the gone keys sorting before it deleted, those after it still there,
        // the lease about to run out.
        List<String> gone = goneEmails(30);
        String checkpoint = "person20@example.com";
        List<String> before = gone.stream().filter(e -> e.compareTo(checkpoint) <= 0).toList();
        List<String> after = gone.stream().filter(e -> e.compareTo(checkpoint) > 0).toList();
        assertTrue(!before.isEmpty() && !after.isEmpty());
        preload(destination, sourceEmails(30));
        preload(destination, after);
        UUID runUuid = TypeId.uuidV7();
        try (Connection db = dataSource.getConnection()) {
            // The run and its recorded keys in one transaction: a worker may claim the run (its lease has run out) the
            // moment it is visible, and with no keys yet it would take every destination row for a deleted one.
            db.setAutoCommit(false);
            try (PreparedStatement run = db.prepareStatement("""
                    INSERT INTO sync_runs (id, org_id, sync_id, status, trigger, records_read, records_written, records_deleted, batches, cursor_start,
                        cursor, phase, delete_cursor, lease_until, lease_owner, attempts, queued_at, started_at, created_at, updated_at)
                    VALUES (?, ?, ?, 'running', 'manual', 30, 30, ?, 1, NULL, 'pos:30', 'delete', ?, now() - interval '1 second', 'dead-replica/1', 1,
                        now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute', now())""")) {
                run.setObject(1, runUuid);
                run.setString(2, org);
                run.setObject(3, syncUuid);
                run.setLong(4, before.size());
                run.setString(5, "key:" + checkpoint);
                run.executeUpdate();
            }
            try (PreparedStatement keys = db.prepareStatement("INSERT INTO sync_run_keys (run_id, key) VALUES (?, ?)")) {
                for (String email : sourceEmails(30)) {
                    keys.setObject(1, runUuid);
                    keys.setString(2, "[\"" + email + "\"]");
                    keys.addBatch();
                }
                keys.executeBatch();
            }
            db.commit();
        }
        String runId = TypeId.format("run", runUuid);
        JsonPath run = Runs.awaitFinal(org, runId);
        assertEquals("succeeded", run.getString("status"));
        assertEquals(30, run.getLong("progress.read"), "the source was not read again");
        assertEquals(30, run.getLong("progress.deleted"), "the deletes before the kill and after, each once");
        assertTrue(source.reads.isEmpty(), "no source read: the run resumed in its delete phase");
        assertEquals("key:" + checkpoint, destination.reads.getFirst().get("cursor"), "paging resumed at the delete checkpoint");
        assertEquals(new TreeSet<>(after), destination.deletedKeys("email_address"));
        assertEquals(new TreeSet<>(sourceEmails(30)), new TreeSet<>(destination.written("raw.contacts").keySet()));
        assertEquals(0, keysHeld(runUuid));
    }
}
