package dev.weft.connections.connection;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Assertions;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class ConnectionApiTest {
    private static final String POSTGRES = """
            {"provider":"postgres","name":"Warehouse","config":{"host":"db.internal","port":5432,"database":"analytics"},
             "credentials":{"username":"weft","password":"s3cret-pa55"}}""";

    @Inject
    DataSource dataSource;

    @Test
    void creates_a_connection_and_never_returns_its_credentials() throws Exception {
        String org = Api.newOrg();
        Response created = Api.as(org).body(POSTGRES).post("/v1/connections");
        created.then().statusCode(201)
                .body("id", startsWith("conn_"))
                .body("provider", equalTo("postgres"))
                .body("auth_type", equalTo("database_credentials"))
                .body("credentials_set", contains("password", "username"))
                .body("config.host", equalTo("db.internal"))
                .body("status", equalTo("pending"));
        assertFalse(created.asString().contains("s3cret-pa55"));
        String id = created.path("id");

        Api.as(org).get("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("Warehouse"))
                .body(not(Matchers.containsString("s3cret")));
        Api.as(org).get("/v1/connections").then().statusCode(200).body("data.id", hasItem(id))
                .body("pagination.has_more", equalTo(false));

        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement("SELECT credentials, credentials_key FROM connections WHERE id = ?")) {
            select.setObject(1, dev.weft.platform.id.TypeId.parse("conn", id).orElseThrow());
            try (ResultSet row = select.executeQuery()) {
                assertTrue(row.next());
                assertFalse(row.getString(1).contains("s3cret"), "credentials are sealed at rest");
                assertTrue(row.getString(2).startsWith("v1:"), "the data key is wrapped under a keyring key id");
            }
        }
    }

    @Test
    void a_retried_create_with_the_same_idempotency_key_returns_the_first_connection() {
        String org = Api.newOrg();
        String first = Api.as(org).header("Idempotency-Key", "create-warehouse-1").body(POSTGRES).post("/v1/connections")
                .then().statusCode(201).header("X-RateLimit-Limit", notNullValue()).extract().path("id");
        String again = Api.as(org).header("Idempotency-Key", "create-warehouse-1").body(POSTGRES).post("/v1/connections")
                .then().statusCode(201).extract().path("id");
        assertEquals(first, again);
        Api.as(org).get("/v1/connections").then().body("data", Matchers.hasSize(1));
    }

    @Test
    void the_seed_salesforce_example_creates_a_jwt_bearer_connection() {
        Api.as(Api.newOrg()).body("""
                {"provider":"salesforce","name":"Production Salesforce","config":{"sandbox":false,"api_version":"v58.0"},
                 "credentials":{"oauth_flow":"jwt_bearer","consumer_key":"3MVG9...","private_key_id":"key_abc123"}}""")
                .post("/v1/connections").then().statusCode(201)
                .body("auth_type", equalTo("oauth2_jwt_bearer"))
                .body("credentials_set", containsInAnyOrder("oauth_flow", "consumer_key", "private_key_id"));
    }

    @Test
    void refuses_bodies_the_provider_schema_does_not_allow() {
        String org = Api.newOrg();
        Api.as(org).body("{\"name\":\"x\",\"credentials\":{}}").post("/v1/connections").then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo("provider"));
        Api.as(org).body("{\"provider\":\"sap\",\"name\":\"x\",\"credentials\":{}}").post("/v1/connections").then().statusCode(400)
                .body("error.details.field", equalTo("provider"));
        Api.as(org).body(POSTGRES.replace("\"port\":5432", "\"port\":\"five\"")).post("/v1/connections").then().statusCode(400)
                .body("error.details.field", equalTo("config.port"));
        Api.as(org).body(POSTGRES.replace("\"username\":\"weft\",", "")).post("/v1/connections").then().statusCode(400)
                .body("error.details.field", equalTo("credentials.username"));
        Api.as(org).body(POSTGRES.replace("\"config\":{", "\"config\":{\"colour\":\"red\",")).post("/v1/connections").then().statusCode(400)
                .body("error.details.field", equalTo("config.colour"));
        Api.as(org).body(POSTGRES.replace("\"credentials\":{\"username\":\"weft\",\"password\":\"s3cret-pa55\"}", "\"credentials\":\"weft\""))
                .post("/v1/connections").then().statusCode(400).body("error.details.field", equalTo("credentials"));
        Api.as(org).body("{\"provider\":\"postgres\",").post("/v1/connections").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        Api.as(org).get("/v1/connections").then().statusCode(200).body("data", Matchers.empty());
    }

    @Test
    void another_orgs_connection_is_not_found() {
        String id = Api.as(Api.newOrg()).body(POSTGRES).post("/v1/connections").then().statusCode(201).extract().path("id");
        String intruder = Api.newOrg();
        Api.as(intruder).get("/v1/connections/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        Api.as(intruder).body("{\"name\":\"mine now\"}").put("/v1/connections/" + id).then().statusCode(404);
        Api.as(intruder).delete("/v1/connections/" + id).then().statusCode(404);
        Api.as(intruder).get("/v1/connections/" + id + "/status").then().statusCode(404);
        Api.as(intruder).body("{\"object\":\"accounts\"}").post("/v1/data/" + id + "/query").then().statusCode(404);
        Api.as(intruder).get("/v1/connections/conn_nonsense").then().statusCode(404);
    }

    @Test
    void update_merges_credentials_and_delete_emits_connection_deleted() {
        String org = Api.newOrg();
        try (TopicProbe events = new TopicProbe(Topics.CONNECTIONS)) {
            String id = Api.as(org).body(POSTGRES).post("/v1/connections").then().statusCode(201).extract().path("id");
            Api.as(org).body("{\"name\":\"Warehouse (rotated)\",\"credentials\":{\"password\":\"n3w\"}}").put("/v1/connections/" + id)
                    .then().statusCode(200).body("name", equalTo("Warehouse (rotated)"))
                    .body("credentials_set", contains("password", "username"));
            Api.as(org).body("{\"credentials\":{\"username\":null}}").put("/v1/connections/" + id)
                    .then().statusCode(400).body("error.details.field", equalTo("credentials.username"));
            Api.as(org).body("{\"provider\":\"mysql\"}").put("/v1/connections/" + id).then().statusCode(400)
                    .body("error.details.field", equalTo("provider"));
            Api.as(org).delete("/v1/connections/" + id).then().statusCode(204);
            Api.as(org).get("/v1/connections/" + id).then().statusCode(404);

            // Health checks of the unreachable host may add connection.health_changed; this test is about the lifecycle.
            java.util.function.Predicate<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> lifecycle =
                    r -> id.equals(r.key()) && !"connection.health_changed".equals(TopicProbe.header(r, "ce_type"));
            List<String> types = events.await(lifecycle, 3, Duration.ofSeconds(20)).stream()
                    .map(r -> TopicProbe.header(r, "ce_type")).toList();
            assertEquals(List.of("connection.created", "connection.updated", "connection.deleted"), types);
            events.await(lifecycle, 3, Duration.ofSeconds(1)).forEach(r ->
                    assertFalse(new String(r.value()).contains("n3w"), "no secret in an event"));
        }
    }

    @Test
    void the_openapi_document_describes_every_operation_with_its_errors_and_the_seed_examples() {
        Response openapi = io.restassured.RestAssured.given().queryParam("format", "json").get("/q/openapi");
        openapi.then().statusCode(200)
                .body("paths.'/v1/connections'.get.responses.'401'", notNullValue())
                .body("paths.'/v1/connections'.post.responses.'400'", notNullValue())
                .body("paths.'/v1/data/{connection_id}/query'.post.responses.'502'", notNullValue())
                .body("paths.'/v1/data/{connection_id}/query'.post.requestBody.content.'application/json'.examples", notNullValue());
        assertTrue(openapi.asString().contains("Industry = 'Technology' AND AnnualRevenue > 1000000"), "the seed query is the example");
    }

    @Test
    void the_provider_catalog_lists_every_provider_with_its_schemas() {
        Response providers = Api.as(Api.newOrg()).get("/v1/providers");
        providers.then().statusCode(200)
                .body("data.id", hasItems("postgres", "mysql", "http", "salesforce", "hubspot", "slack", "google", "microsoft"))
                .body("data.find { it.id == 'salesforce' }.auth_types", hasItems("oauth2_authorization_code", "oauth2_jwt_bearer"))
                .body("data.find { it.id == 'postgres' }.config_schema.properties.host", notNullValue());
        Map<String, Object> hubspot = providers.path("data.find { it.id == 'hubspot' }");
        assertTrue((Boolean) hubspot.get("oauth"));
        Api.as(Api.newOrg()).get("/v1/providers/postgres").then().statusCode(200).body("category", equalTo("database"));
        Api.as(Api.newOrg()).get("/v1/providers/sap").then().statusCode(404);
    }
}
