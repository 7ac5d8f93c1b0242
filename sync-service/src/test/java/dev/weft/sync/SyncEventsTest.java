package dev.weft.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.Topics;
import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.sync.support.Runs;
import dev.weft.testing.TestEvents;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sync events on weft.syncs.events, each valid against the public catalog's schema, and connection.deleted
 * consumed from weft.connections.events: the syncs using the connection are disabled with the reason on them.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
class SyncEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void started_completed_and_failed_events_match_the_catalog() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(4));
        var destination = Api.warehouse(org).refusing(record -> "person3@example.com".equals(record.get("email_address")));
        Map<String, Object> partial = new HashMap<>(Api.seedSync(source.id, destination.id, null));
        partial.remove("schedule");
        String partialSync = as(org).body(partial).post("/v1/syncs").then().statusCode(201).extract().path("id");
        var refusing = Api.warehouse(org);
        refusing.rejectWrites = "permission denied for table contacts";
        Map<String, Object> failing = new HashMap<>(Api.seedSync(source.id, refusing.id, null));
        String failingSync = as(org).body(failing).post("/v1/syncs").then().statusCode(201).extract().path("id");
        try (TopicProbe events = new TopicProbe(Topics.SYNCS)) {
            String partialRun = as(org).post("/v1/syncs/" + partialSync + "/run").then().statusCode(202).extract().path("id");
            String failedRun = as(org).post("/v1/syncs/" + failingSync + "/run").then().statusCode(202).extract().path("id");
            assertEquals("partially_succeeded", Runs.awaitFinal(org, partialRun).getString("status"));
            JsonPath failed = Runs.awaitFinal(org, failedRun);
            assertEquals("failed", failed.getString("status"));
            assertEquals("permission denied for table contacts", failed.getString("error"));

            List<ConsumerRecord<String, byte[]>> published = events.await(
                    r -> partialSync.equals(r.key()) || failingSync.equals(r.key()), 4, Duration.ofSeconds(30));
            Set<String> types = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : published) {
                String type = TopicProbe.header(record, "ce_type");
                types.add(record.key().equals(partialSync) ? "partial " + type : "failing " + type);
                JsonNode data = JSON.readTree(record.value());
                assertEquals(Set.of(), violations(type, data), type + " " + data);
                assertEquals(org, TopicProbe.header(record, "ce_orgid"));
                if (type.equals("sync.failed")) {
                    assertEquals("INVALID_REQUEST", data.path("error").path("code").asText());
                    assertEquals(refusing.id, data.path("error").path("connection_id").asText());
                }
            }
            assertEquals(Set.of("partial sync.started", "partial sync.completed", "failing sync.started", "failing sync.failed"), types);
        }
    }

    @Test
    void a_deleted_connection_disables_its_syncs_with_the_reason() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2));
        var destination = Api.warehouse(org);
        var other = Api.warehouse(org);
        String affected = as(org).body(Api.seedSync(source.id, destination.id, "hourly")).post("/v1/syncs").then().statusCode(201).extract().path("id");
        String unaffected = as(org).body(Api.seedSync(source.id, other.id, "hourly")).post("/v1/syncs").then().statusCode(201).extract().path("id");
        String data = "{\"id\":\"" + destination.id + "\",\"org_id\":\"" + org + "\",\"provider\":\"snowflake\",\"name\":\"warehouse\",\"status\":\"active\"}";
        ConnectionsStub.remove(destination.id);
        TestEvents.publish(Topics.CONNECTIONS, "connection.deleted", org, destination.id, data);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Boolean.TRUE.equals(as(org).get("/v1/syncs/" + affected).then().extract().path("enabled")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        as(org).get("/v1/syncs/" + affected).then().statusCode(200)
                .body("enabled", equalTo(false))
                .body("disabled_reason", equalTo("connection " + destination.id + " was deleted"))
                .body("next_run_at", nullValue());
        as(org).post("/v1/syncs/" + affected + "/run").then().statusCode(409).body("error.code", equalTo("CONFLICT"));
        as(org).get("/v1/syncs/" + unaffected).then().statusCode(200).body("enabled", equalTo(true));
        // Re-enabling needs the connection to exist: it does not, so the check refuses it.
        as(org).body("{\"enabled\":true}").patch("/v1/syncs/" + affected).then().statusCode(400)
                .body("error.details.field", equalTo("destination.connection_id"));
        as(org).get("/v1/syncs/" + unaffected).then().statusCode(200).body("enabled", equalTo(true));
    }

    /** webhook-service's catalog of event types: the public description of every event's data. */
    static Set<String> violations(String type, JsonNode data) {
        try {
            JsonNode catalog = JSON.readTree(Files.readString(Path.of(System.getProperty("basedir", "."))
                    .resolve("../webhook-service/src/main/resources/event-types.json")));
            for (JsonNode entry : catalog) {
                if (type.equals(entry.path("type").asText())) {
                    Set<String> messages = new HashSet<>();
                    com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012)
                            .getSchema(entry.path("schema")).validate(data).forEach(m -> messages.add(m.getMessage()));
                    return messages;
                }
            }
            return Set.of("no catalog entry for " + type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
