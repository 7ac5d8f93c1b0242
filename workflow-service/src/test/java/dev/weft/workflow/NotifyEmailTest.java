package dev.weft.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.WeftInfraResource;
import dev.weft.workflow.support.Api;
import dev.weft.workflow.support.Stubs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.workflow.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code notify} by email through the API: its fields are checked at creation, and a run sends through
 * messaging-service's internal send (a WireMock stub at weft.services.messaging.url) as the org, with the step's
 * Idempotency-Key; a refusal fails the step, an unavailable messaging-service is retried.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = Stubs.class, restrictToAnnotatedClass = false)
class NotifyEmailTest {
    private static final String SEND = "/internal/v1/email/send";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> email(String connection, Object to) {
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("type", "notify");
        action.put("channel", "email");
        if (connection != null) {
            action.put("connection_id", connection);
        }
        if (to != null) {
            action.put("to", to);
        }
        action.put("subject", "New lead {{payload.Company}}");
        action.put("message", "{{payload.Company}} ({{payload.Country}}) just signed up.");
        return action;
    }

    private static void invalid(String org, Map<String, Object> action, String field) {
        as(org).body(Map.of("name", "mail", "trigger", Map.of("type", "api_call"), "actions", List.of(action))).post("/v1/workflows").then()
                .statusCode(400).body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo(field))
                .body("error.message", containsString(field));
    }

    /** A sent mail as messaging-service answers it (201, its stored email), for requests naming this org and connection. */
    private static void sends(String org, String connection, int status, String body) {
        Stubs.server().stubFor(post(urlPathEqualTo(SEND)).withHeader("Authorization", WireMock.equalTo("Weft-Internal " + Stubs.TOKEN))
                .withHeader("X-Weft-Caller", WireMock.equalTo("workflow-service"))
                .withHeader("X-Weft-Org", WireMock.equalTo(org))
                .withRequestBody(matchingJsonPath("$.connection_id", WireMock.equalTo(connection)))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static List<LoggedRequest> sent(String connection) {
        return Stubs.server().findAll(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.connection_id", WireMock.equalTo(connection))));
    }

    private static String invoke(String org, String trigger) {
        return as(org).body(Map.of("Company", "Acme")).post("/v1/triggers/" + trigger + "/invoke").then().statusCode(202).extract().path("execution_id");
    }

    @Test
    void an_email_notification_is_checked_at_creation() {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        invalid(org, email(null, List.of("ops@example.com")), "actions[0].connection_id");
        invalid(org, email(connection, null), "actions[0].to");
        invalid(org, email(connection, List.of()), "actions[0].to");
        invalid(org, email(connection, "ops@example.com"), "actions[0].to");
        invalid(org, email(connection, List.of("ops@example.com", "not-an-address")), "actions[0].to");
        invalid(org, email(connection, List.of("ops@example.com", 42)), "actions[0].to");
        Map<String, Object> badCc = email(connection, List.of("ops@example.com"));
        badCc.put("cc", List.of("two@@example.com"));
        invalid(org, badCc, "actions[0].cc");
        Map<String, Object> badBcc = email(connection, List.of("ops@example.com"));
        badBcc.put("bcc", "x@example.com");
        invalid(org, badBcc, "actions[0].bcc");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add("ops" + i + "@example.com");
        }
        Map<String, Object> tooMany = email(connection, many);
        tooMany.put("cc", many.subList(0, 11));
        invalid(org, tooMany, "actions[0].to");
        Map<String, Object> noSubject = email(connection, List.of("ops@example.com"));
        noSubject.remove("subject");
        invalid(org, noSubject, "actions[0].subject");
        Map<String, Object> badSubject = email(connection, List.of("ops@example.com"));
        badSubject.put("subject", "New lead {{#payload}}");
        invalid(org, badSubject, "actions[0].subject");
        Map<String, Object> noMessage = email(connection, List.of("ops@example.com"));
        noMessage.remove("message");
        invalid(org, noMessage, "actions[0].message");

        // 50 in all, named addresses, and the fields inside config: accepted.
        Map<String, Object> fifty = email(connection, many);
        fifty.put("cc", List.of("Ops Lead <lead@example.com>"));
        fifty.put("bcc", many.subList(0, 9));
        Api.create(org, Map.of("name", "mail", "trigger", Map.of("type", "api_call"), "actions", List.of(fifty)));
        Api.create(org, Map.of("name", "mail", "trigger", Map.of("type", "api_call"), "actions", List.of(Map.of("type", "notify",
                "config", email(connection, List.of("ops@example.com"))))));
    }

    @Test
    void a_run_sends_through_messaging_as_the_org_with_the_steps_idempotency_key() throws Exception {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        sends(org, connection, 201, "{\"id\":\"eml_01jdc9j2k5m8n1p4q7r0s3t6v9\",\"connection_id\":\"" + connection + "\","
                + "\"thread_id\":\"thr_01jdc9j2k5m8n1p4q7r0s3t6v9\",\"folder\":\"sent\",\"direction\":\"outbound\",\"subject\":\"New lead Acme\"}");
        Map<String, Object> action = email(connection, List.of("ops@example.com", "Sales <sales@example.com>"));
        action.put("cc", List.of("cc@example.com"));
        String[] wf = Api.apiCallWorkflow(org, List.of(action));
        String execution = invoke(org, wf[1]);
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals("email", done.getString("steps[0].output.channel"));
        assertEquals("Acme () just signed up.", done.getString("steps[0].output.message"));
        assertEquals("eml_01jdc9j2k5m8n1p4q7r0s3t6v9", done.getString("steps[0].output.email_id"));
        assertEquals("thr_01jdc9j2k5m8n1p4q7r0s3t6v9", done.getString("steps[0].output.thread_id"));
        assertTrue(done.getString("steps[0].warnings[0]").contains("{{payload.Country}}"), done.prettify());

        List<LoggedRequest> requests = sent(connection);
        assertEquals(1, requests.size());
        LoggedRequest request = requests.getFirst();
        assertEquals(execution + ":0", request.getHeader("Idempotency-Key"));
        assertEquals("Weft-Internal " + Stubs.TOKEN, request.getHeader("Authorization"));
        assertEquals(org, request.getHeader("X-Weft-Org"));
        assertTrue(request.getHeader("Content-Type").startsWith("application/json"));
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertEquals(List.of("ops@example.com", "Sales <sales@example.com>"), JSON.convertValue(body.get("to"), List.class));
        assertEquals(List.of("cc@example.com"), JSON.convertValue(body.get("cc"), List.class));
        assertFalse(body.has("bcc"), body.toString());
        assertEquals("New lead Acme", body.get("subject").asText());
        assertEquals("Acme () just signed up.", body.get("body").asText());
        assertEquals(connection, body.get("connection_id").asText());
    }

    @Test
    void a_refused_send_fails_the_step_with_messagings_code_and_message() {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        sends(org, connection, 400, "{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":\"no mail connection " + connection + "\","
                + "\"details\":{\"field\":\"connection_id\"}}}");
        Map<String, Object> action = email(connection, List.of("ops@example.com"));
        action.put("retry", Map.of("max_attempts", 3, "backoff_ms", 100));
        String[] wf = Api.apiCallWorkflow(org, List.of(action));
        String execution = invoke(org, wf[1]);
        JsonPath failed = Api.awaitStatus(org, execution, "failed");
        assertEquals(1, failed.getInt("steps[0].attempts"), "a refusal is not retried");
        assertEquals("INVALID_REQUEST", failed.getString("error.code"));
        assertTrue(failed.getString("error.message").contains("no mail connection " + connection), failed.prettify());
        assertEquals(1, sent(connection).size());
    }

    @Test
    void an_unavailable_messaging_service_is_retried_with_the_same_key() {
        retriedAfter(503, "{\"error\":{\"code\":\"SERVICE_UNAVAILABLE\",\"message\":\"restarting\"}}");
    }

    @Test
    void a_send_still_in_progress_under_the_key_is_asked_again() {
        // An earlier attempt timed out while messaging-service was still sending: its idempotency filter says so.
        retriedAfter(409, "{\"error\":{\"code\":\"CONFLICT\",\"message\":\"A request with this Idempotency-Key is still in progress; retry later\","
                + "\"details\":{\"field\":\"Idempotency-Key\",\"constraint\":\"in_progress\"}}}");
    }

    /** messaging-service answers {@code status} first, then sends: the step succeeds on its second attempt, with the same key. */
    private static void retriedAfter(int status, String answer) {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        String scenario = "messaging-" + connection;
        Stubs.server().stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.connection_id", WireMock.equalTo(connection)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(answer)).willSetStateTo("up"));
        Stubs.server().stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.connection_id", WireMock.equalTo(connection)))
                .inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"eml_01jdc9j2k5m8n1p4q7r0s3t6v8\",\"thread_id\":\"thr_01jdc9j2k5m8n1p4q7r0s3t6v8\"}")));
        Map<String, Object> action = email(connection, List.of("ops@example.com"));
        action.put("retry", Map.of("max_attempts", 3, "backoff_ms", 100));
        String[] wf = Api.apiCallWorkflow(org, List.of(action));
        String execution = invoke(org, wf[1]);
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals(2, done.getInt("steps[0].attempts"));
        assertEquals("eml_01jdc9j2k5m8n1p4q7r0s3t6v8", done.getString("steps[0].output.email_id"));
        List<LoggedRequest> requests = sent(connection);
        assertEquals(2, requests.size());
        assertEquals(execution + ":0", requests.get(0).getHeader("Idempotency-Key"));
        assertEquals(requests.get(0).getHeader("Idempotency-Key"), requests.get(1).getHeader("Idempotency-Key"));
    }
}
