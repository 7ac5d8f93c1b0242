package dev.weft.connections.data;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch write carrying a {@code write_id} happens once on the SQL databases, with or without a key: sent again, in
 * turn or at the same moment, it writes nothing and answers as the first time ({@code replayed}); the ledger it is kept
 * in is not one of the connection's objects; a malformed id is a 400.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class WriteOnceTest {
    private static final String TABLE = "write_once_log";

    private static RequestSpecification internal(String org) {
        return RestAssured.given().header("Authorization", "Weft-Internal " + ConnectionsStubs.INTERNAL_TOKEN).header("X-Weft-Org", org)
                .header("X-Weft-Caller", "sync-service").contentType("application/json");
    }

    private record Setup(Databases.Target db, String org, String id) {
    }

    /** A table without a key, so nothing but the write id can keep a batch from being stored twice. */
    private static Setup setup(Databases.Target db) throws Exception {
        try (Connection admin = db.admin(); Statement ddl = admin.createStatement()) {
            ddl.execute(db.provider().equals("postgres") ? "CREATE SCHEMA IF NOT EXISTS " + db.schema() : "CREATE DATABASE IF NOT EXISTS " + db.database());
            ddl.execute("DROP TABLE IF EXISTS " + db.qualified(TABLE));
            ddl.execute("CREATE TABLE " + db.qualified(TABLE) + " (id bigint, note varchar(100) NOT NULL)");
        }
        String org = Api.newOrg();
        String id = Api.as(org).body(db.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        return new Setup(db, org, id);
    }

    /**
     * Ids unique to this test run: the ledger outlives the tables a test drops (it is the schema's), and the machine's
     * MariaDB is shared between runs.
     */
    private static final String RUN = "t" + Long.toHexString(System.nanoTime()) + Integer.toHexString(new java.util.Random().nextInt());

    private static String id(String name) {
        return RUN + "." + name;
    }

    private static Map<String, Object> batch(String writeId, int first) {
        List<List<Object>> rows = List.of(List.of(first, "a"), Arrays.asList(first + 1, null), List.of(first + 2, "c"));
        return Map.of("object", TABLE, "mode", "insert", "fields", List.of("id", "note"), "rows", rows, "answer", "failures", "write_id", writeId);
    }

    private static boolean replayed(JsonPath answer) {
        return Boolean.TRUE.equals(answer.get("replayed"));
    }

    private static long rows(Setup s) throws Exception {
        try (Connection admin = s.db().admin(); Statement sql = admin.createStatement();
             ResultSet r = sql.executeQuery("SELECT count(*) FROM " + s.db().qualified(TABLE))) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void a_write_sent_again_with_its_id_writes_nothing_and_answers_as_the_first_time() throws Exception {
        for (Databases.Target db : Databases.targets()) {
            Setup s = setup(db);
            String write = "/internal/v1/connections/" + s.id() + "/write";
            JsonPath first = internal(s.org()).body(batch(id("run_1:aaaa"), 1)).post(write).then().statusCode(200)
                    .body("summary.succeeded", equalTo(2)).body("summary.failed", equalTo(1)).body("failures[0].index", equalTo(1))
                    .extract().jsonPath();
            assertFalse(replayed(first), db.name() + ": the first write is not a replay (the field is absent): " + first.prettify());
            assertEquals(2, rows(s), db.name());

            JsonPath again = internal(s.org()).body(batch(id("run_1:aaaa"), 1)).post(write).then().statusCode(200).extract().jsonPath();
            assertTrue(replayed(again), db.name() + ": " + again.prettify());
            assertEquals(first.getMap("summary"), again.getMap("summary"), db.name() + ": the same totals");
            assertEquals(first.getString("failures[0].error"), again.getString("failures[0].error"), db.name() + ": the same refusal");
            assertEquals(1, again.getInt("failures[0].index"));
            assertEquals(2, rows(s), db.name() + ": nothing written the second time");

            // Another id is another write, even of the same rows; and a write without an id writes every time.
            internal(s.org()).body(batch(id("run_1:bbbb"), 1)).post(write).then().statusCode(200).body("summary.succeeded", equalTo(2));
            assertEquals(4, rows(s), db.name());
            internal(s.org()).body(Map.of("object", TABLE, "records", List.of(Map.of("id", 9, "note", "z")))).post(write).then().statusCode(200);
            internal(s.org()).body(Map.of("object", TABLE, "records", List.of(Map.of("id", 9, "note", "z")))).post(write).then().statusCode(200)
                    .body("replayed", equalTo(null));
            assertEquals(6, rows(s), db.name());

            // The ledger is Weft's bookkeeping, not one of the connection's objects.
            Api.as(s.org()).get("/v1/data/" + s.id() + "/objects?refresh=true").then().statusCode(200)
                    .body("data.name", hasItem(TABLE)).body("data.name", not(hasItem("_weft_writes")));

            // A ledger dropped by someone cleaning the schema up is made again on the next write with an id.
            try (Connection admin = db.admin(); Statement ddl = admin.createStatement()) {
                ddl.execute("DROP TABLE " + db.qualified("_weft_writes"));
            }
            internal(s.org()).body(batch(id("run_1:cccc"), 1)).post(write).then().statusCode(200).body("replayed", equalTo(null));
            internal(s.org()).body(batch(id("run_1:cccc"), 1)).post(write).then().statusCode(200).body("replayed", equalTo(true));
            assertEquals(8, rows(s), db.name());
        }
    }

    @Test
    void the_same_write_sent_eight_times_at_once_is_stored_once() throws Exception {
        for (Databases.Target db : Databases.targets()) {
            Setup s = setup(db);
            String write = "/internal/v1/connections/" + s.id() + "/write";
            // The ledger exists before the race, as it does after a connection's first write.
            internal(s.org()).body(batch(id("warm:1"), 100)).post(write).then().statusCode(200);
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Callable<JsonPath>> sends = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    sends.add(() -> internal(s.org()).body(batch(id("race:1"), 1)).post(write).then().statusCode(200).extract().jsonPath());
                }
                int written = 0;
                for (Future<JsonPath> answer : threads.invokeAll(sends)) {
                    JsonPath body = answer.get();
                    assertEquals(2, body.getInt("summary.succeeded"), db.name() + ": " + body.prettify());
                    written += replayed(body) ? 0 : 1;
                }
                assertEquals(1, written, db.name() + ": one of the eight wrote, the others were answered as replays");
            } finally {
                threads.shutdownNow();
            }
            assertEquals(4, rows(s), db.name() + ": the warm-up's two rows and the race's two, once");
        }
    }

    /**
     * Two first writes at once (a run's writes in flight, or two replicas) both create the ledger; PostgreSQL's CREATE
     * TABLE IF NOT EXISTS then fails for the second once the first commits. The ledger is there all the same, and the
     * second write records its id in it: sent again, it is a replay (it was written twice when that failure left the
     * ledger for unusable).
     */
    @Test
    void a_ledger_created_at_the_same_moment_by_another_write_is_used() throws Exception {
        Setup s = setup(Databases.postgres());
        String write = "/internal/v1/connections/" + s.id() + "/write";
        String ledger = s.db().qualified("_weft_writes");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Connection other = s.db().admin(); Statement ddl = other.createStatement()) {
            ddl.execute("DROP TABLE IF EXISTS " + ledger);
            other.setAutoCommit(false);
            // The other write's creation, not yet committed: this write's creation waits for it, then fails.
            ddl.execute("CREATE TABLE " + ledger + " (write_id varchar(255) NOT NULL PRIMARY KEY, written_at timestamp NOT NULL, answer text NOT NULL)");
            Future<JsonPath> first = thread.submit(() -> internal(s.org()).body(batch(id("meet:1"), 1)).post(write).then().statusCode(200)
                    .extract().jsonPath());
            try (Connection watcher = s.db().admin()) {
                Databases.awaitLockWait(watcher, "CREATE TABLE IF NOT EXISTS %_weft_writes%");
            }
            other.commit();
            assertFalse(replayed(first.get()));
        } finally {
            thread.shutdownNow();
        }
        assertTrue(replayed(internal(s.org()).body(batch(id("meet:1"), 1)).post(write).then().statusCode(200).extract().jsonPath()));
        assertEquals(2, rows(s), "the batch once");
    }

    @Test
    void a_malformed_write_id_is_a_400() throws Exception {
        Setup s = setup(Databases.postgres());
        String write = "/internal/v1/connections/" + s.id() + "/write";
        for (String id : List.of("", "has space", "x".repeat(201), "semi;colon", "quote'")) {
            internal(s.org()).body(batch(id, 1)).post(write).then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                    .body("error.details.field", equalTo("write_id"));
        }
        assertEquals(0, rows(s), "nothing written");

        // An id names one write: sent with other records it is refused, as an idempotency key reused with other parameters.
        internal(s.org()).body(batch(id("once:1"), 1)).post(write).then().statusCode(200);
        Map<String, Object> other = Map.of("object", TABLE, "mode", "insert", "fields", List.of("id", "note"), "rows", List.of(List.of(7, "x")),
                "write_id", id("once:1"));
        internal(s.org()).body(other).post(write).then().statusCode(400).body("error.details.field", equalTo("write_id"))
                .body("error.details.constraint", equalTo("reused"));
        assertEquals(2, rows(s), "the first write's rows alone");
    }
}
