package dev.weft.testing;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.DriverManager;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every Weft service must do from its first commit: become ready only with its database
 * and Kafka, migrate its own schema, publish OpenAPI, and answer unknown routes and missing
 * credentials in the one error shape. A service's test extends this with {@code @QuarkusTest} and
 * {@code @QuarkusTestResource(WeftInfraResource.class)} (Quarkus finds test resources only on the
 * module's own test classes).
 */
public abstract class ServiceContractTest {
    private final String schema;

    protected ServiceContractTest(String schema) {
        this.schema = schema;
    }

    @Test
    void is_live_and_ready_with_database_and_kafka() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check", "Kafka connection health check"));
    }

    @Test
    void publishes_openapi() {
        given().when().get("/q/openapi?format=json").then().statusCode(200).body("openapi", startsWith("3."));
    }

    @Test
    void migrates_its_own_schema_with_the_platform_tables() throws Exception {
        try (Connection connection = DriverManager.getConnection(WeftTestInfra.jdbcUrl(), WeftTestInfra.username(), WeftTestInfra.password());
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name IN ('outbox', 'processed_events', 'idempotency_keys')")) {
            query.setString(1, schema);
            try (ResultSet result = query.executeQuery()) {
                assertTrue(result.next() && result.getInt(1) == 3, "platform tables in schema " + schema);
            }
        }
    }

    @Test
    void unknown_routes_get_the_error_shape_and_a_request_id() {
        given().when().get("/v1/no-such-resource").then().statusCode(404)
                .header("X-Request-Id", startsWith("req_"))
                .body("error.code", equalTo("NOT_FOUND"))
                .body("error.request_id", startsWith("req_"));
    }
}
