package dev.weft.connections.connector.snowflake;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The internal endpoints a sync's destination and progress need, through the real HTTP API: creating a missing
 * destination table (PostgreSQL and MariaDB for real, Snowflake against its stub) and counting records.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class SnowflakeSyncEndpointsTest {

    private static Map<String, Object> contactsTable(String object) {
        return Map.of("object", object, "key", List.of("email_address"), "fields", List.of(
                Map.of("name", "email_address", "type", "string"), Map.of("name", "first_name", "type", "string"),
                Map.of("name", "age", "type", "integer"), Map.of("name", "updated_at", "type", "datetime")));
    }

    @Test
    void a_missing_table_is_created_once_on_postgres_and_mariadb_then_written_and_counted() throws Exception {
        for (Databases.Target target : Databases.targets()) {
            try (Connection db = target.admin(); Statement ddl = db.createStatement()) {
                ddl.execute(target.setup("unused").getFirst()); // the connection's own schema or database
            }
            String org = Api.newOrg();
            String id = Api.as(org).body(target.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
            String schema = "weft_ensure_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            String object = schema + ".contacts";
            try {
                Api.as(org).body(contactsTable(object)).post("/internal/v1/connections/" + id + "/objects/ensure").then().statusCode(201)
                        .body("name", equalTo(object)).body("primary_key", equalTo(List.of("email_address")))
                        .body("fields.name", equalTo(List.of("email_address", "first_name", "age", "updated_at")))
                        .body("fields.type", equalTo(List.of("string", "string", "integer", "datetime")));
                Api.as(org).body(contactsTable(object)).post("/internal/v1/connections/" + id + "/objects/ensure").then().statusCode(200)
                        .body("name", equalTo(object));
                try (Connection db = target.admin();
                     PreparedStatement keys = db.prepareStatement("SELECT kcu.column_name FROM information_schema.table_constraints tc"
                             + " JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name"
                             + " AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name"
                             + " WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = ? AND tc.table_name = 'contacts'")) {
                    keys.setString(1, schema);
                    List<String> columns = new ArrayList<>();
                    try (ResultSet rows = keys.executeQuery()) {
                        while (rows.next()) {
                            columns.add(rows.getString(1));
                        }
                    }
                    assertEquals(List.of("email_address"), columns, target.name() + ": the sync's key is the primary key");
                }

                Api.as(org).body(Map.of("object", object, "mode", "upsert", "key", List.of("email_address"), "records", List.of(
                                Map.of("email_address", "ada@example.com", "first_name", "Ada", "age", 36, "updated_at", "2024-05-01T10:00:00Z"),
                                Map.of("email_address", "bob@example.com", "first_name", "Bob", "age", 25, "updated_at", "2024-07-01T10:00:00Z"),
                                Map.of("email_address", "cy@example.com", "first_name", "Cy", "age", 41, "updated_at", "2024-08-01T10:00:00Z"))))
                        .post("/internal/v1/connections/" + id + "/write").then().statusCode(200).body("summary.succeeded", equalTo(3));

                String count = "/internal/v1/connections/" + id + "/count";
                Api.as(org).body(Map.of("object", object)).post(count).then().statusCode(200).body("count", equalTo(3));
                Api.as(org).body(Map.of("object", object, "filter", "age > 30")).post(count).then().statusCode(200).body("count", equalTo(2));
                Api.as(org).body(Map.of("object", object, "filter", "age > 30", "cursor_field", "updated_at", "cursor", "2024-06-01T00:00:00Z"))
                        .post(count).then().statusCode(200).body("count", equalTo(1));
                Api.as(org).body(Map.of("object", object, "cursor_field", "nope", "cursor", 1)).post(count).then().statusCode(400)
                        .body("error.details.field", equalTo("cursor_field"));
                Api.as(org).body(Map.of("object", object, "cursor_field", "age", "cursor", "old")).post(count).then().statusCode(400);
            } finally {
                try (Connection db = target.admin(); Statement ddl = db.createStatement()) {
                    ddl.execute(target.provider().equals("postgres") ? "DROP SCHEMA IF EXISTS " + schema + " CASCADE" : "DROP DATABASE IF EXISTS " + schema);
                }
            }
        }
    }

    @Test
    void bad_tables_other_orgs_and_missing_credentials_are_refused() {
        Databases.Target target = Databases.postgres();
        String org = Api.newOrg();
        String id = Api.as(org).body(target.connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        String ensure = "/internal/v1/connections/" + id + "/objects/ensure";

        Api.as(org).body(Map.of("object", "t_bad", "fields", List.of(Map.of("name", "a", "type", "blob")))).post(ensure).then().statusCode(400)
                .body("error.details.field", equalTo("fields[0].type"));
        Api.as(org).body(Map.of("object", "t_bad", "fields", List.of(Map.of("name", "a")), "key", List.of("b"))).post(ensure).then().statusCode(400)
                .body("error.details.field", equalTo("key[0]"));
        Api.as(org).body(Map.of("object", "t_bad", "fields", List.of())).post(ensure).then().statusCode(400);
        Api.as(org).body(Map.of("object", "t_bad", "fields", List.of(Map.of("name", "a"), Map.of("name", "A")))).post(ensure).then().statusCode(400);
        Api.as(org).body("{\"object\": 5, \"fields\": \"no\"}").post(ensure).then().statusCode(400);
        Api.as(org).body(Map.of("object", "nope")).post("/internal/v1/connections/" + id + "/count").then().statusCode(400)
                .body("error.details.field", equalTo("object"));

        String other = Api.newOrg();
        Api.as(other).body(contactsTable("t_other")).post(ensure).then().statusCode(404);
        Api.as(other).body(Map.of("object", "t_other")).post("/internal/v1/connections/" + id + "/count").then().statusCode(404);
        RestAssured.given().contentType(ContentType.JSON).body(contactsTable("t_other")).post(ensure).then().statusCode(401);
    }

    @Test
    void snowflake_creates_raw_contacts_through_the_internal_endpoint() {
        SnowflakeStub snowflake = SnowflakeFixture.stub();
        snowflake.answer("SELECT 1", SnowflakeStub.result("h-check", List.<Object[]>of(new Object[]{"1", "fixed"}), List.of(List.of("1"))));
        List<List<String>> grown = new ArrayList<>(SnowflakeConnectorTest.CATALOG);
        grown.addAll(SnowflakeConnectorTest.CREATED);
        List<List<String>> grownKeys = new ArrayList<>(SnowflakeConnectorTest.KEYS);
        grownKeys.add(SnowflakeConnectorTest.row("1700000000.000000000", "ANALYTICS", "RAW", "CONTACTS", "EMAIL_ADDRESS", "1", "SYS_PK2", "false", null));
        String scenario = "api-catalog";
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.COLUMNS_SQL).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-c", SnowflakeConnectorTest.COLUMN_TYPES, SnowflakeConnectorTest.CATALOG))));
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.COLUMNS_SQL).inScenario(scenario).whenScenarioStateIs("created")
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-c", SnowflakeConnectorTest.COLUMN_TYPES, grown))));
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.KEYS_SQL).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-k", SnowflakeConnectorTest.KEY_TYPES, SnowflakeConnectorTest.KEYS))));
        snowflake.server().stubFor(snowflake.statement(SnowflakeConnector.KEYS_SQL).inScenario(scenario).whenScenarioStateIs("created")
                .willReturn(aResponse().withStatus(200).withBody(SnowflakeStub.result("h-k", SnowflakeConnectorTest.KEY_TYPES, grownKeys))));
        String done = SnowflakeStub.result("h-ddl", List.<Object[]>of(new Object[]{"status", "text"}), List.of(List.of("done")));
        snowflake.answer("CREATE SCHEMA IF NOT EXISTS \"RAW\"", done);
        snowflake.server().stubFor(snowflake.statement("CREATE TABLE IF NOT EXISTS \"RAW\".\"CONTACTS\" (\"EMAIL_ADDRESS\" VARCHAR NOT NULL,"
                        + " \"FIRST_NAME\" VARCHAR, \"AGE\" NUMBER(38,0), PRIMARY KEY (\"EMAIL_ADDRESS\"))")
                .inScenario(scenario).willSetStateTo("created").willReturn(aResponse().withStatus(200).withBody(done)));
        snowflake.answer("SELECT COUNT(*) FROM \"RAW\".\"CONTACTS\"",
                SnowflakeStub.result("h-n", List.<Object[]>of(new Object[]{"COUNT(*)", "fixed"}), List.of(List.of("0"))));

        String org = Api.newOrg();
        String id = Api.as(org).body(Map.of("provider", "snowflake", "name", "Warehouse",
                        "config", Map.of("account", SnowflakeStub.ACCOUNT, "database", "analytics", "warehouse", "LOADING_WH"),
                        "credentials", Map.of("username", SnowflakeStub.USER, "private_key_id", SnowflakeFixture.KEY_ID)))
                .post("/v1/connections").then().statusCode(201).extract().path("id");
        Map<String, Object> wanted = Map.of("object", "raw.contacts", "key", List.of("email_address"), "fields", List.of(
                Map.of("name", "email_address", "type", "string"), Map.of("name", "first_name", "type", "string"),
                Map.of("name", "age", "type", "integer")));

        Api.as(org).body(wanted).post("/internal/v1/connections/" + id + "/objects/ensure").then().statusCode(201)
                .body("name", equalTo("RAW.CONTACTS")).body("primary_key", equalTo(List.of("EMAIL_ADDRESS")));
        Api.as(org).body(wanted).post("/internal/v1/connections/" + id + "/objects/ensure").then().statusCode(200);
        Api.as(org).body(Map.of("object", "raw.contacts")).post("/internal/v1/connections/" + id + "/count").then().statusCode(200)
                .body("count", equalTo(0));
    }
}
