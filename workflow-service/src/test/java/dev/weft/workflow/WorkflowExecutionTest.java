package dev.weft.workflow;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.TestEvents;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import dev.weft.workflow.support.Api;
import dev.weft.workflow.support.Stubs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.workflow.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Triggers to executions through the real API and real Kafka: once per event, filters, field_changed, retries, templates. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = Stubs.class, restrictToAnnotatedClass = false)
class WorkflowExecutionTest {

    @Test
    void api_call_with_the_same_idempotency_key_runs_once() {
        String org = Api.newOrg();
        String path = "/hook/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + path,
                "body", Map.of("company", "{{payload.Company}}"))));
        String first = as(org).header("Idempotency-Key", "lead-42").body(Map.of("Company", "Acme")).post("/v1/triggers/" + wf[1] + "/invoke")
                .then().statusCode(202).extract().path("execution_id");
        String second = as(org).header("Idempotency-Key", "lead-42").body(Map.of("Company", "Acme")).post("/v1/triggers/" + wf[1] + "/invoke")
                .then().statusCode(202).extract().path("execution_id");
        assertEquals(first, second);
        JsonPath done = Api.awaitStatus(org, first, "succeeded");
        assertEquals(200, done.getInt("steps[0].output.status"));
        assertEquals(1, done.getInt("workflow_version"));
        List<LoggedRequest> sent = Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path)));
        assertEquals(1, sent.size());
        assertEquals("{\"company\":\"Acme\"}", sent.getFirst().getBodyAsString());
        assertEquals(first + ":0", sent.getFirst().getHeader("Idempotency-Key"));
        assertTrue(sent.getFirst().getHeader("webhook-signature").startsWith("v1,"));
        assertEquals(1, Api.executions(org, wf[0]).size());
    }

    @Test
    void an_http_actions_headers_are_checked_when_saved_and_a_rendered_line_break_fails_the_step_once() {
        String org = Api.newOrg();
        String path = "/headers/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        String url = Stubs.server().baseUrl() + path;
        // Names Weft sets itself, names HTTP cannot carry and values with a line break are refused at creation.
        for (Map<String, String> headers : List.of(Map.of("webhook-signature", "v1,forged"), Map.of("Idempotency-Key", "mine"),
                Map.of("Host", "elsewhere"), Map.of("Bad Name", "x"), Map.of("X-Team", "ops\r\nX-Injected: 1"))) {
            as(org).body(Map.of("name", "headers", "trigger", Map.of("type", "api_call"),
                            "actions", List.of(Map.of("type", "http", "url", url, "headers", headers))))
                    .post("/v1/workflows").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"))
                    .body("error.details.field", equalTo("actions[0].headers." + headers.keySet().iterator().next()));
        }
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "url", url, "headers", Map.of("X-Team", "{{payload.team}}"))));
        String sent = as(org).body(Map.of("team", "ops")).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        Api.awaitStatus(org, sent, "succeeded");
        assertEquals("ops", Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).getFirst().getHeader("X-Team"));
        // The record's data rendering a line break into a header: the step fails at its first attempt, nothing is sent.
        String broken = as(org).body(Map.of("team", "ops\r\nX-Injected: 1")).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202)
                .extract().path("execution_id");
        JsonPath failed = Api.awaitStatus(org, broken, "failed");
        assertEquals("INVALID_REQUEST", failed.getString("steps[0].error.code"));
        assertEquals(1, failed.getInt("steps[0].attempts"));
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).size());
    }

    /** An invoke remembers its trigger and workflow; each start checks them, so a change since is seen at the next invoke. */
    @Test
    void an_invoke_after_the_workflow_changed_runs_the_new_version_and_a_disabled_or_deleted_one_starts_nothing() {
        String org = Api.newOrg();
        String path = "/changed/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + path)));
        String first = as(org).body(Map.of("n", 1)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        assertEquals(1, Api.awaitStatus(org, first, "succeeded").getInt("workflow_version"));

        as(org).body(Map.of("name", "api, renamed")).patch("/v1/workflows/" + wf[0]).then().statusCode(200).body("version", equalTo(2));
        String second = as(org).body(Map.of("n", 2)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        assertEquals(2, Api.awaitStatus(org, second, "succeeded").getInt("workflow_version"));

        as(org).body(Map.of("enabled", false)).patch("/v1/workflows/" + wf[0]).then().statusCode(200);
        as(org).body(Map.of("n", 3)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(409);
        as(org).body(Map.of("enabled", true)).patch("/v1/workflows/" + wf[0]).then().statusCode(200);
        String third = as(org).body(Map.of("n", 4)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        Api.awaitStatus(org, third, "succeeded");

        // Another org does not find it, remembered or not.
        as(Api.newOrg()).body(Map.of("n", 5)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(404);
        as(org).delete("/v1/workflows/" + wf[0]).then().statusCode(204);
        as(org).body(Map.of("n", 6)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(404);
    }

    @Test
    void the_same_record_event_delivered_twice_runs_once_and_the_filter_decides() throws Exception {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        String path = "/leads/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(204)));
        String workflow = Api.create(org, Map.of("name", "big leads",
                "trigger", Map.of("type", "record_created", "connection_id", connection, "object", "Lead", "filter", "AnnualRevenue > 5000000"),
                "actions", List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + path)))).getString("id");
        String big = recordEvent(connection, "Lead", "record.created", Map.of("Id", "L1", "Company", "Acme", "AnnualRevenue", 9000000), null, null);
        String eventId = TypeId.generate("evt");
        TestEvents.publish(Topics.RECORDS, eventId, "record.created", org, connection + "/Lead/L1", big);
        TestEvents.publish(Topics.RECORDS, eventId, "record.created", org, connection + "/Lead/L1", big);
        String small = recordEvent(connection, "Lead", "record.created", Map.of("Id", "L2", "Company", "Tiny", "AnnualRevenue", 10), null, null);
        TestEvents.publish(Topics.RECORDS, "record.created", org, connection + "/Lead/L2", small);
        String other = recordEvent(TypeId.generate("conn"), "Lead", "record.created", Map.of("Id", "L3", "AnnualRevenue", 9000000), null, null);
        TestEvents.publish(Topics.RECORDS, "record.created", org, connection + "/Lead/L3", other);
        String execution = awaitOneExecution(org, workflow);
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals(eventId, done.getString("event_id"));
        // The later events (too small, another connection) were consumed after it; still exactly one execution.
        Api.sleep(1500);
        assertEquals(1, Api.executions(org, workflow).size());
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).size());
        assertTrue(Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).getFirst().getBodyAsString().contains("\"Company\":\"Acme\""));
    }

    @jakarta.inject.Inject
    javax.sql.DataSource dataSource;

    @Test
    void an_event_of_an_org_without_a_trigger_of_its_type_is_not_claimed_and_one_with_a_trigger_runs() throws Exception {
        String quiet = Api.newOrg();
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        String path = "/quiet/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(204)));
        String workflow = Api.create(org, Map.of("name", "any lead",
                "trigger", Map.of("type", "record_created", "connection_id", connection, "object", "Lead"),
                "actions", List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + path)))).getString("id");
        String lead = recordEvent(connection, "Lead", "record.created", Map.of("Id", "L1"), null, null);
        // One Kafka key, so the quiet org's event is consumed before the other's.
        String unclaimed = TestEvents.publish(Topics.RECORDS, "record.created", quiet, connection + "/Lead/L1", lead);
        String claimed = TestEvents.publish(Topics.RECORDS, "record.created", org, connection + "/Lead/L1", lead);
        Api.awaitStatus(org, awaitOneExecution(org, workflow), "succeeded");
        List<String> claims = new java.util.ArrayList<>();
        try (java.sql.Connection db = dataSource.getConnection(); java.sql.PreparedStatement select = db.prepareStatement(
                "SELECT event_id FROM processed_events WHERE consumer = 'workflow-triggers' AND event_id IN (?, ?)")) {
            select.setString(1, unclaimed);
            select.setString(2, claimed);
            try (java.sql.ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    claims.add(rows.getString(1));
                }
            }
        }
        assertEquals(List.of(claimed), claims, "no transaction or claim for an event no trigger can match");
    }

    @Test
    void field_changed_gets_the_old_and_new_value() {
        String org = Api.newOrg();
        String connection = TypeId.generate("conn");
        String path = "/status/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)));
        String workflow = Api.create(org, Map.of("name", "status moves",
                "trigger", Map.of("type", "field_changed", "connection_id", connection, "object", "Lead", "field", "Status"),
                "actions", List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + path,
                        "body", Map.of("text", "{{Lead.Company}}: {{trigger.old}} -> {{trigger.new}}"))))).getString("id");
        // Another field changed: no execution.
        TestEvents.publish(Topics.RECORDS, "record.updated", org, "k", recordEvent(connection, "Lead", "record.updated",
                Map.of("Id", "L1", "Company", "Acme", "Status", "Open", "Phone", "2"), Map.of("Id", "L1", "Company", "Acme", "Status", "Open", "Phone", "1"),
                List.of("Phone")));
        TestEvents.publish(Topics.RECORDS, "record.updated", org, "k", recordEvent(connection, "Lead", "record.updated",
                Map.of("Id", "L1", "Company", "Acme", "Status", "Qualified"), Map.of("Id", "L1", "Company", "Acme", "Status", "Open"), List.of("Status")));
        String execution = awaitOneExecution(org, workflow);
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals("Status", done.getString("input.changed_fields[0]"));
        assertEquals("{\"text\":\"Acme: Open -> Qualified\"}", Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).getFirst().getBodyAsString());
        Api.sleep(1000);
        assertEquals(1, Api.executions(org, workflow).size());
    }

    @Test
    void a_failed_step_is_retried_with_backoff_then_succeeds_and_events_say_so() {
        String org = Api.newOrg();
        String path = "/flaky/" + TypeId.generate("x");
        String scenario = "flaky-" + path;
        Stubs.server().stubFor(post(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        Stubs.server().stubFor(post(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs("up").willReturn(aResponse().withStatus(200)));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + path,
                "retry", Map.of("max_attempts", 3, "backoff_ms", 200))));
        try (TopicProbe events = new TopicProbe(Topics.WORKFLOWS)) {
            String execution = as(org).body(Map.of("n", 1)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
            JsonPath done = Api.awaitStatus(org, execution, "succeeded");
            assertEquals(2, done.getInt("steps[0].attempts"));
            assertEquals("succeeded", done.getString("steps[0].status"));
            List<LoggedRequest> sent = Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path)));
            assertEquals(2, sent.size());
            // The retried request carries the same idempotency key, so the receiver can tell it is the same one.
            assertEquals(sent.get(0).getHeader("Idempotency-Key"), sent.get(1).getHeader("Idempotency-Key"));
            var seen = events.await(r -> new String(r.value(), StandardCharsets.UTF_8).contains(execution), 2, Duration.ofSeconds(20));
            assertEquals(List.of("workflow.triggered", "workflow.completed"), seen.stream().map(r -> TopicProbe.header(r, "ce_type")).toList());
        }
    }

    /**
     * A step with side effects after a side-effect-free one begins in memory with it (nothing is written before the call);
     * its failure records both, the transform done and the http step failed, and the retry resumes at the http step only.
     */
    @Test
    void a_side_effect_step_begun_in_memory_is_retried_from_itself() {
        String org = Api.newOrg();
        String path = "/flaky-after-transform/" + TypeId.generate("x");
        String scenario = "flaky-" + path;
        Stubs.server().stubFor(post(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        Stubs.server().stubFor(post(urlPathEqualTo(path)).inScenario(scenario).whenScenarioStateIs("up").willReturn(aResponse().withStatus(200)));
        String[] wf = Api.apiCallWorkflow(org, List.of(
                Map.of("type", "transform", "language", "jsonata", "code", "{\"company\": $uppercase(company)}"),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + path, "retry", Map.of("max_attempts", 3, "backoff_ms", 200))));
        String execution = as(org).body(Map.of("company", "Acme")).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202)
                .extract().path("execution_id");
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals(List.of("succeeded", "succeeded"), done.getList("steps.status"), done.prettify());
        assertEquals(List.of(1, 2), done.getList("steps.attempts"), "the transform is not run again, the http step is retried");
        assertNotNull(done.get("steps[1].input"), done.prettify());
        assertNotNull(done.getString("steps[1].started_at"), done.prettify());
        List<LoggedRequest> sent = Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path)));
        assertEquals(2, sent.size());
        assertEquals(sent.get(0).getHeader("Idempotency-Key"), sent.get(1).getHeader("Idempotency-Key"));
        assertEquals("{\"company\":\"ACME\"}", sent.get(1).getBodyAsString());
    }

    /** Handed over to the invoking replica's worker, an execution is running from its insert, while its first step is in flight. */
    @Test
    void a_handed_over_execution_is_running_while_its_first_step_is_in_flight() {
        String org = Api.newOrg();
        String slow = "/slow-first/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(slow)).willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        String[] wf = Api.apiCallWorkflow(org, List.of(
                Map.of("type", "transform", "language", "jsonata", "code", "{\"n\": n}"),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + slow)));
        String execution = as(org).body(Map.of("n", 1)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        for (int i = 0; i < 100 && Stubs.server().findAll(postRequestedFor(urlPathEqualTo(slow))).isEmpty(); i++) {
            Api.sleep(50);
        }
        JsonPath midway = as(org).get("/v1/executions/" + execution).then().statusCode(200).extract().jsonPath();
        assertEquals("running", midway.getString("status"), midway.prettify());
        assertNotNull(midway.getString("started_at"), midway.prettify());
        Api.awaitStatus(org, execution, "succeeded");
    }

    @Test
    void a_step_that_keeps_failing_fails_the_execution_and_retry_resumes_from_it() {
        String org = Api.newOrg();
        String ok = "/ok/" + TypeId.generate("x");
        String down = "/down/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(ok)).willReturn(aResponse().withStatus(200)));
        Stubs.server().stubFor(post(urlPathEqualTo(down)).willReturn(aResponse().withStatus(500).withBody("boom")));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + ok),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + down, "retry", Map.of("max_attempts", 2, "backoff_ms", 100))));
        String execution = as(org).body("{}").post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        JsonPath failed = Api.awaitStatus(org, execution, "failed");
        assertEquals("failed", failed.getString("steps[1].status"));
        assertEquals(2, failed.getInt("steps[1].attempts"));
        assertEquals("UPSTREAM_ERROR", failed.getString("error.code"));
        as(org).get("/v1/workflows/" + wf[0] + "/executions?status=failed").then().statusCode(200).body("data[0].id", equalTo(execution));
        as(org).get("/v1/workflows/" + wf[0] + "/executions?status=succeeded").then().statusCode(200).body("data.size()", equalTo(0));
        as(org).get("/v1/workflows/" + wf[0] + "/executions?status=weird").then().statusCode(400);
        as(org).post("/v1/executions/" + execution + "/cancel").then().statusCode(409);
        Stubs.server().stubFor(post(urlPathEqualTo(down)).willReturn(aResponse().withStatus(200)));
        as(org).post("/v1/executions/" + execution + "/retry").then().statusCode(200).body("status", equalTo("queued"));
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals(1, done.getInt("steps[0].attempts"));
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(ok))).size());
    }

    @Test
    void side_effect_free_steps_are_recorded_with_the_next_step_and_a_failure_among_them_stands_at_its_step() {
        String org = Api.newOrg();
        String path = "/pure/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)));
        // transform and condition run in memory; the http step's begin records them.
        String[] wf = Api.apiCallWorkflow(org, List.of(
                Map.of("type", "transform", "language", "jsonata", "code", "{\"company\": $uppercase(company), \"n\": n}"),
                Map.of("type", "condition", "expression", "n > 0"),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + path)));
        String execution = as(org).body(Map.of("company", "Acme", "n", 3)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202)
                .extract().path("execution_id");
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        for (int step = 0; step < 3; step++) {
            assertEquals("succeeded", done.getString("steps[" + step + "].status"), done.prettify());
            assertEquals(1, done.getInt("steps[" + step + "].attempts"), done.prettify());
            assertNotNull(done.getString("steps[" + step + "].started_at"), done.prettify());
            assertNotNull(done.getString("steps[" + step + "].finished_at"), done.prettify());
            assertNotNull(done.get("steps[" + step + "].input"), done.prettify());
        }
        assertEquals("ACME", done.getString("steps[0].output.record.company"));
        assertEquals(true, done.getBoolean("steps[1].output.holds"));
        List<LoggedRequest> sent = Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path)));
        assertEquals(1, sent.size());
        assertEquals("{\"company\":\"ACME\",\"n\":3}", sent.getFirst().getBodyAsString());

        // The second transform fails (a JSONata result that is not a record): the first is recorded done, the execution
        // stands at the failed step, and a retry resumes there without running the first again.
        String[] failing = Api.apiCallWorkflow(org, List.of(
                Map.of("type", "transform", "language", "jsonata", "code", "{\"company\": company}"),
                Map.of("type", "transform", "language", "jsonata", "code", "[1, 2]"),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + path)));
        String broken = as(org).body(Map.of("company", "Acme")).post("/v1/triggers/" + failing[1] + "/invoke").then().statusCode(202)
                .extract().path("execution_id");
        JsonPath failed = Api.awaitStatus(org, broken, "failed");
        assertEquals("TRANSFORM_ERROR", failed.getString("error.code"), failed.prettify());
        assertEquals(1, failed.getInt("current_step"));
        assertEquals("succeeded", failed.getString("steps[0].status"));
        assertEquals(1, failed.getInt("steps[0].attempts"));
        assertEquals("failed", failed.getString("steps[1].status"));
        assertEquals(1, failed.getInt("steps[1].attempts"), "a transform error is not retried");
        assertEquals("pending", failed.getString("steps[2].status"));
        as(org).post("/v1/executions/" + broken + "/retry").then().statusCode(200);
        JsonPath again = Api.awaitExecution(org, broken, e -> "failed".equals(e.getString("status")) && e.getString("steps[1].finished_at") != null
                && !e.getString("steps[1].finished_at").equals(failed.getString("steps[1].finished_at")));
        assertEquals(1, again.getInt("steps[0].attempts"), "the step before the failed one is not run again");
        assertEquals(1, again.getInt("steps[1].attempts"), "a retry starts with fresh attempts");
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).size());
    }

    @Test
    void a_missing_template_path_renders_empty_and_is_reported_on_the_step() {
        String org = Api.newOrg();
        String path = "/t/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "notify", "channel", "webhook", "url", Stubs.server().baseUrl() + path,
                "message", "New lead: {{payload.Company}} from {{payload.Cuntry}}")));
        String execution = as(org).body(Map.of("Company", "Acme", "Country", "DE")).post("/v1/triggers/" + wf[1] + "/invoke")
                .then().statusCode(202).extract().path("execution_id");
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertEquals("New lead: Acme from ", done.getString("steps[0].output.message"));
        assertTrue(done.getString("steps[0].warnings[0]").contains("{{payload.Cuntry}}"), done.prettify());
        assertEquals("{\"text\":\"New lead: Acme from \"}", Stubs.server().findAll(postRequestedFor(urlPathEqualTo(path))).getFirst().getBodyAsString());
    }

    @Test
    void the_seed_lead_routing_writes_and_posts_to_slack_through_connections() {
        String org = Api.newOrg();
        String salesforce = TypeId.generate("conn");
        String hubspot = Api.connection(org);
        String slack = Api.connection(org);
        String workflow = Api.create(org, """
                { "name": "Enterprise Lead Routing", "trigger": { "type": "record_created", "connection_id": "%s", "object": "Lead", "filter": "AnnualRevenue > 5000000" },
                  "actions": [ { "type": "transform", "config": { "enrich_company_data": true } },
                               { "type": "transform", "language": "jsonata", "code": "$merge([$, {'Company': $uppercase(Company)}])" },
                               { "type": "condition", "expression": "Lead.Company <> 'Blocked'" },
                               { "type": "condition", "language": "jsonata", "expression": "Lead.AnnualRevenue > 5000000" },
                               { "type": "write", "connection_id": "%s", "object": "Contact", "fields": { "company": "{{record.Company}}", "email": "{{Lead.Email}}" } },
                               { "type": "notify", "channel": "slack", "connection_id": "%s", "slack_channel": "C0LEADS", "message": "New enterprise lead: {{Lead.Company}}" } ] }"""
                .formatted(salesforce, hubspot, slack)).getString("id");
        TestEvents.publish(Topics.RECORDS, "record.created", org, salesforce + "/Lead/L9", recordEvent(salesforce, "Lead", "record.created",
                Map.of("Id", "L9", "Company", "Acme", "Email", "cto@acme.test", "AnnualRevenue", 7500000), null, null));
        String execution = awaitOneExecution(org, workflow);
        JsonPath done = Api.awaitStatus(org, execution, "succeeded");
        assertTrue(done.getString("steps[0].warnings[0]").contains("enrich_company_data"));
        List<LoggedRequest> contact = Stubs.server().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/connections/" + hubspot + "/write")));
        assertEquals(1, contact.size());
        assertTrue(contact.getFirst().getBodyAsString().contains("\"company\":\"ACME\""), contact.getFirst().getBodyAsString());
        assertTrue(contact.getFirst().getBodyAsString().contains("\"object\":\"Contact\""));
        List<LoggedRequest> posted = Stubs.server().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/connections/" + slack + "/write")));
        assertEquals(1, posted.size());
        String body = posted.getFirst().getBodyAsString();
        assertTrue(body.contains("\"object\":\"messages\"") && body.contains("\"text\":\"New enterprise lead: Acme\"") && body.contains("\"channel\":\"C0LEADS\""),
                body);
        assertNotNull(WireMock.class);
    }

    private static String awaitOneExecution(String org, String workflow) {
        for (int i = 0; i < 200; i++) {
            List<Map<String, Object>> executions = Api.executions(org, workflow);
            if (!executions.isEmpty()) {
                return (String) executions.getFirst().get("id");
            }
            Api.sleep(100);
        }
        throw new AssertionError("no execution of " + workflow);
    }

    /** A record.* event's data as change capture publishes it. */
    static String recordEvent(String connection, String object, String type, Map<String, Object> record, Map<String, Object> previous,
                              List<String> changed) {
        var data = new java.util.LinkedHashMap<String, Object>();
        data.put("connection_id", connection);
        data.put("object", object);
        data.put("record_id", String.valueOf(record.get("Id")));
        data.put("key", Map.of("Id", record.get("Id")));
        data.put("direction", "read");
        data.put("record", record);
        if (previous != null) {
            data.put("previous", previous);
            data.put("changed_fields", changed);
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
