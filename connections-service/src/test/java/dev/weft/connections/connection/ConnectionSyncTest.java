package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.EventCatalog;
import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Seed 002's connection paths under /v1/integrations/connections: list, status, manual sync (connection.sync_requested), refresh. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class ConnectionSyncTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String google(String org, String credentials) {
        return Api.as(org).body("{\"provider\":\"google\",\"name\":\"Sales Google\",\"credentials\":" + credentials + "}")
                .post("/v1/connections").then().statusCode(201).extract().path("id");
    }

    @Test
    void a_sync_request_answers_202_and_publishes_connection_sync_requested_once() throws Exception {
        String org = Api.newOrg();
        String id = google(org, "{\"access_token\":\"ya29.sync-test\"}");
        try (TopicProbe events = new TopicProbe(Topics.CONNECTIONS)) {
            String requestId = Api.as(org).body("{\"type\":\"email\"}").post("/v1/integrations/connections/" + id + "/sync").then().statusCode(202)
                    .body("id", startsWith("csr_")).body("connection_id", equalTo(id)).body("provider", equalTo("google"))
                    .body("type", equalTo("email")).body("status", equalTo("requested")).body("requested_at", notNullValue())
                    .extract().path("id");

            var match = TopicProbe.withHeader("ce_type", "connection.sync_requested").and(r -> id.equals(r.key()));
            events.await(match, 1, Duration.ofSeconds(20));
            List<ConsumerRecord<String, byte[]>> seen = events.drain(match, Duration.ofMillis(1500));
            assertEquals(1, seen.size(), "one event per request");
            assertEquals(org, TopicProbe.header(seen.get(0), "ce_orgid"));
            assertEquals(id, TopicProbe.header(seen.get(0), "ce_subject"));
            JsonNode data = JSON.readTree(seen.get(0).value());
            assertEquals(Set.of(), EventCatalog.violations("connection.sync_requested", data), data.toString());
            assertEquals(requestId, data.path("id").asText());
            assertEquals(org, data.path("org_id").asText());
            assertEquals(id, data.path("connection_id").asText());
            assertEquals("email", data.path("type").asText());
        }
        Api.as(org).get("/v1/integrations/connections/" + id + "/status").then().statusCode(200)
                .body("provider", equalTo("google")).body("refreshable", equalTo(false))
                .body("last_sync_request.type", equalTo("email")).body("last_sync_request.status", equalTo("requested"));
    }

    @Test
    void no_body_means_all_and_the_short_path_works_too() {
        String org = Api.newOrg();
        String id = google(org, "{\"access_token\":\"ya29.sync-all\"}");
        Api.as(org).get("/v1/connections/" + id + "/status").then().statusCode(200).body("last_sync_request", nullValue());
        Api.as(org).post("/v1/connections/" + id + "/sync").then().statusCode(202).body("type", equalTo("all"));
        Api.as(org).body("{}").post("/v1/integrations/connections/" + id + "/sync").then().statusCode(202).body("type", equalTo("all"));
        Api.as(org).body("{\"type\":\"calendar\"}").post("/v1/integrations/connections/" + id + "/sync").then().statusCode(202).body("type", equalTo("calendar"));
    }

    @Test
    void bad_types_bodies_providers_and_other_orgs_are_refused_with_the_error_shape() {
        String org = Api.newOrg();
        String id = google(org, "{\"access_token\":\"ya29.sync-bad\"}");
        for (String body : new String[] {"{\"type\":\"contacts\"}", "{\"type\":5}", "{\"type\":[\"email\"]}", "[\"email\"]", "\"email\""}) {
            Api.as(org).body(body).post("/v1/integrations/connections/" + id + "/sync").then().statusCode(400)
                    .body("error.code", equalTo("INVALID_REQUEST")).body("error.request_id", startsWith("req_"));
        }
        Api.as(org).body("{\"type\":").post("/v1/integrations/connections/" + id + "/sync").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));

        String postgres = Api.as(org).body("""
                {"provider":"postgres","name":"Warehouse","config":{"host":"db.internal","port":5432,"database":"analytics"},
                 "credentials":{"username":"weft","password":"s3cret-pa55"}}""").post("/v1/connections").then().statusCode(201).extract().path("id");
        Api.as(org).body("{\"type\":\"calendar\"}").post("/v1/integrations/connections/" + postgres + "/sync").then().statusCode(400)
                .body("error.details.field", equalTo("type")).body("error.details.provider", equalTo("postgres"));

        Api.as(Api.newOrg()).body("{\"type\":\"email\"}").post("/v1/integrations/connections/" + id + "/sync").then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"));
        Api.as(org).body("{\"type\":\"email\"}").post("/v1/integrations/connections/conn_nope/sync").then().statusCode(404);
    }

    @Test
    void the_org_s_connections_are_listed_under_the_integrations_path() {
        String org = Api.newOrg();
        String id = google(org, "{\"access_token\":\"ya29.sync-list\"}");
        Api.as(org).get("/v1/integrations/connections?provider=google&limit=10").then().statusCode(200)
                .body("data.id", hasItem(id)).body("data.size()", equalTo(1)).body("pagination.has_more", equalTo(false));
        Api.as(Api.newOrg()).get("/v1/integrations/connections").then().statusCode(200).body("data.size()", equalTo(0));
        Api.as(org).get("/v1/integrations/connections?limit=0").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
    }

    @Test
    void refreshing_a_connection_without_a_refresh_token_is_a_conflict() {
        String org = Api.newOrg();
        String id = google(org, "{\"access_token\":\"ya29.no-refresh\"}");
        Api.as(org).post("/v1/integrations/connections/" + id + "/refresh").then().statusCode(409)
                .body("error.code", equalTo("CONFLICT")).body("error.details.constraint", equalTo("refreshable"));
    }
}
