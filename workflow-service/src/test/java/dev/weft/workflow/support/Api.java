package dev.weft.workflow.support;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestCredentials;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/** REST Assured as one org, workflow bodies, and waiting for an execution to reach a state. */
public final class Api {
    private Api() {
    }

    public static String newOrg() {
        return TypeId.generate("org");
    }

    /** On the enterprise plan: a test polls executions often enough to spend a developer plan's burst (rate limits are tested in libs/platform). */
    public static RequestSpecification as(String orgId) {
        return RestAssured.given().header("Authorization", TestCredentials.bearerOnPlan(orgId, "enterprise", "workflows:read", "workflows:write"))
                .contentType(ContentType.JSON);
    }

    /** Seed 000's "Enterprise Lead Routing" body, as written. */
    public static final String SEED = """
            { "name": "Enterprise Lead Routing", "trigger": { "type": "record_created", "connection_id": "conn_sf123", "object": "Lead", "filter": "AnnualRevenue > 5000000" }, "actions": [ { "type": "transform", "config": { "enrich_company_data": true } }, { "type": "write", "connection_id": "conn_hubspot", "object": "Contact" }, { "type": "notify", "channel": "slack", "message": "New enterprise lead: {{Lead.Company}}" } ] }""";

    /** Creates a workflow and returns its JSON. */
    public static JsonPath create(String org, Object body) {
        return as(org).body(body).post("/v1/workflows").then().statusCode(201).extract().jsonPath();
    }

    /** An api_call workflow with these actions; returns {workflow id, trigger id}. */
    public static String[] apiCallWorkflow(String org, List<Map<String, Object>> actions) {
        JsonPath created = create(org, Map.of("name", "api", "trigger", Map.of("type", "api_call"), "actions", actions));
        return new String[]{created.getString("id"), created.getString("trigger.id")};
    }

    /** Polls GET /v1/executions/{id} until {@code done} holds (or fails after 20 s). */
    public static JsonPath awaitExecution(String org, String id, Predicate<JsonPath> done) {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        JsonPath last = null;
        while (Instant.now().isBefore(until)) {
            last = as(org).get("/v1/executions/" + id).then().statusCode(200).extract().jsonPath();
            if (done.test(last)) {
                return last;
            }
            sleep(100);
        }
        throw new AssertionError("execution " + id + " did not get there: " + (last == null ? null : last.prettify()));
    }

    public static JsonPath awaitStatus(String org, String id, String status) {
        return awaitExecution(org, id, e -> status.equals(e.getString("status")));
    }

    /** Executions of a workflow (first page). */
    public static List<Map<String, Object>> executions(String org, String workflowId) {
        return as(org).get("/v1/workflows/" + workflowId + "/executions").then().statusCode(200).extract().jsonPath().getList("data");
    }

    /** A connection whose internal write endpoint accepts records, as connections-service answers it. */
    public static String connection(String org) {
        String id = TypeId.generate("conn");
        Stubs.server().stubFor(post(urlPathEqualTo("/internal/v1/connections/" + id + "/write"))
                .withHeader("Authorization", equalTo("Weft-Internal " + Stubs.TOKEN))
                .withHeader("X-Weft-Caller", equalTo("workflow-service"))
                .withHeader("X-Weft-Org", equalTo(org))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"object\":\"x\",\"mode\":\"insert\",\"summary\":{\"total\":1,\"succeeded\":1,\"failed\":0},"
                                + "\"results\":[{\"index\":0,\"success\":true,\"id\":\"rec-1\"}]}")));
        return id;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
