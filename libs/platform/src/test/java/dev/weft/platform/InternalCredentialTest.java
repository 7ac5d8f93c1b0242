package dev.weft.platform;

import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.services.ServiceClient;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The internal credential services use with each other: accepted only on /internal/ endpoints, as the named org's
 * system principal; refused on public paths, with a wrong token, or without an org. The platform's ServiceClient
 * calls the test app's own internal endpoint the way sync-service calls connections-service.
 */
@QuarkusTest
class InternalCredentialTest extends PlatformTestBase {
    private static final String TOKEN = "platform-test-internal-token";

    @Inject
    ServiceClient client;

    private static io.restassured.specification.RequestSpecification internal(String token, String org, String caller) {
        var spec = given().header("Authorization", "Weft-Internal " + token).contentType("application/json");
        if (org != null) {
            spec = spec.header("X-Weft-Org", org);
        }
        if (caller != null) {
            spec = spec.header("X-Weft-Caller", caller);
        }
        return spec;
    }

    @Test
    void acts_as_the_named_orgs_system_principal_on_internal_paths() {
        String org = newOrg();
        internal(TOKEN, org, "sync-service").body("{\"a\":1}").post("/internal/v1/widgets/whoami")
                .then().statusCode(200)
                .body("org_id", equalTo(org))
                .body("credential_id", equalTo("system:sync-service"))
                .body("credential_type", equalTo("OPERATOR"));
    }

    @Test
    void refuses_the_internal_credential_on_public_paths() {
        String org = newOrg();
        internal(TOKEN, org, "sync-service").get("/v1/status/db")
                .then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"))
                .body("error.message", equalTo("The internal credential is accepted only by internal endpoints"));
        internal(TOKEN, org, "sync-service").body("{\"name\":\"x\",\"size\":1}").post("/v1/widgets").then().statusCode(401);
        // A public path spelled to look internal is still the public resource.
        internal(TOKEN, org, "sync-service").get("/v1/widgets/../../internal/v1/widgets/whoami").then().statusCode(
                anyOf(equalTo(401), equalTo(404), equalTo(405)));
    }

    @Test
    void refuses_a_wrong_token_a_missing_org_or_caller() {
        String org = newOrg();
        internal("not-the-token", org, "sync-service").body("{}").post("/internal/v1/widgets/whoami")
                .then().statusCode(401).body("error.message", equalTo("Invalid internal credential"));
        internal(TOKEN + "x", org, "sync-service").body("{}").post("/internal/v1/widgets/whoami").then().statusCode(401);
        internal("", org, "sync-service").body("{}").post("/internal/v1/widgets/whoami").then().statusCode(401);
        internal(TOKEN, null, "sync-service").body("{}").post("/internal/v1/widgets/whoami").then().statusCode(401);
        internal(TOKEN, "acme", "sync-service").body("{}").post("/internal/v1/widgets/whoami").then().statusCode(401);
        internal(TOKEN, org, null).body("{}").post("/internal/v1/widgets/whoami").then().statusCode(401);
        // No credential at all: the usual 401.
        given().contentType("application/json").body("{}").post("/internal/v1/widgets/whoami").then().statusCode(401);
    }

    @Test
    void user_credentials_keep_working_on_internal_paths_with_their_own_org() {
        String org = newOrg();
        as(org, "widgets:read").body("{}").post("/internal/v1/widgets/whoami").then().statusCode(200).body("org_id", equalTo(org));
    }

    @Test
    void scopes_reads_to_the_named_org() {
        String owner = newOrg();
        String widget = createWidget(owner, "scoped");
        internal(TOKEN, owner, "sync-service").get("/internal/v1/widgets/" + widget).then().statusCode(200).body("id", equalTo(widget));
        internal(TOKEN, newOrg(), "sync-service").get("/internal/v1/widgets/" + widget).then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"));
    }

    @Test
    void the_service_client_calls_as_the_current_org_and_reports_errors() throws Exception {
        String owner = newOrg();
        String widget = createWidget(owner, "called");
        String base = "http://127.0.0.1:" + RestAssured.port;
        @SuppressWarnings("unchecked")
        Map<String, Object> caller = TenantContext.callAs(SystemPrincipal.of(owner, "system:test"),
                () -> client.post("platform-test", base, Duration.ofSeconds(10), "/internal/v1/widgets/whoami", Map.of("batch", 1), Map.class));
        assertEquals(owner, caller.get("org_id"));
        assertEquals("system:platform-test", caller.get("credential_id"));
        assertEquals(Map.of("batch", 1), caller.get("echo"));

        ServiceCallException missing = assertThrows(ServiceCallException.class, () -> TenantContext.callAs(SystemPrincipal.of(newOrg(), "system:test"),
                () -> client.get("platform-test", base, Duration.ofSeconds(10), "/internal/v1/widgets/" + widget, Map.class)));
        assertEquals(404, missing.status());
        assertEquals("NOT_FOUND", missing.code());
        assertEquals("widget not found", missing.reason());

        // Nothing listens there: transient, so background work waits it out.
        Exception down = assertThrows(Exception.class, () -> TenantContext.callAs(SystemPrincipal.of(owner, "system:test"),
                () -> client.get("platform-test", "http://127.0.0.1:1", Duration.ofSeconds(5), "/internal/v1/widgets/" + widget, Map.class)));
        assertEquals(ServiceClient.Unavailable.class, down.getClass());
        assertEquals(true, dev.weft.platform.events.Failures.isTransient(down));
    }
}
