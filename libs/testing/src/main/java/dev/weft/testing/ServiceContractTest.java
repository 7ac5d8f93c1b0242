package dev.weft.testing;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every Weft service must do from its first commit: become ready only with its database
 * and Kafka, migrate its own schema, publish an OpenAPI document that tools accept (an
 * operationId on every operation, the security it really enforces) with Swagger UI beside it,
 * and answer unknown routes and missing credentials in the one error shape. A service's test extends this with {@code @QuarkusTest} and
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
    void every_operation_has_a_unique_operation_id_and_declares_its_security() {
        JsonPath document = openApi();
        Map<String, Map<String, Object>> schemes = document.getMap("components.securitySchemes");
        assertNotNull(schemes, "components.securitySchemes");
        assertEquals("bearer", schemes.get("BearerToken").get("scheme"));
        assertEquals("X-API-Key", schemes.get("ApiKey").get("name"));
        assertEquals("WEFT-HMAC", schemes.get("SignedRequest").get("scheme"));
        assertFalse(document.getList("servers").isEmpty(), "servers");
        Set<String> operationIds = new HashSet<>();
        for (Operation operation : operations(document)) {
            String id = (String) operation.body().get("operationId");
            assertTrue(id != null && id.matches("[a-z][A-Za-z0-9]+"), operation + ": operationId " + id);
            assertTrue(operationIds.add(id), operation + ": operationId " + id + " is used twice");
            assertTrue(operation.body().containsKey("security"), operation + " declares no security");
            for (Map<String, Object> requirement : operation.security()) {
                assertTrue(schemes.keySet().containsAll(requirement.keySet()), operation + " names an undefined scheme: " + requirement);
            }
        }
    }

    /**
     * Calls every operation without credentials: one documented as needing a credential must be
     * refused by the authentication filter (401 UNAUTHORIZED); one documented as public
     * ({@code security: []}) or as also taking credentials in its body (an empty requirement,
     * {@code {}}, as OAuth client_secret_post) must get past it.
     */
    @Test
    void documented_security_is_what_the_service_enforces() {
        for (Operation operation : operations(openApi())) {
            String path = operation.path().replaceAll("\\{[^}]+}", "x");
            Response response = given().contentType("application/json").body("{}")
                    .when().request(operation.method(), path);
            boolean refusedForMissingCredential = response.statusCode() == 401
                    && response.asString().contains("\"code\":\"UNAUTHORIZED\"");
            boolean needsCredentialHeader = !operation.security().isEmpty() && operation.security().stream().noneMatch(Map::isEmpty);
            assertEquals(needsCredentialHeader, refusedForMissingCredential,
                    operation + " without a credential answered " + response.statusCode() + " " + response.asString());
        }
    }

    @Test
    void serves_swagger_ui() {
        given().when().get("/q/swagger-ui").then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("swagger-ui"));
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

    private static JsonPath openApi() {
        return given().when().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
    }

    record Operation(String method, String path, Map<String, Object> body) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> security() {
            return (List<Map<String, Object>>) body.getOrDefault("security", List.of());
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static List<Operation> operations(JsonPath document) {
        List<Operation> operations = new ArrayList<>();
        Map<String, Map<String, Map<String, Object>>> paths = document.getMap("paths");
        if (paths == null) {
            return operations;
        }
        paths.forEach((path, item) -> item.forEach((method, body) -> {
            if (List.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                operations.add(new Operation(method.toUpperCase(java.util.Locale.ROOT), path, body));
            }
        }));
        return operations;
    }
}
