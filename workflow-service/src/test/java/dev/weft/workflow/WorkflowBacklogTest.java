package dev.weft.workflow;

import dev.weft.testing.WeftInfraResource;
import dev.weft.workflow.support.Api;
import dev.weft.workflow.support.Stubs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.workflow.support.Api.as;

/**
 * A backlog drains as slots free up, not one round of slots per poll: with two slots and a poll interval of an hour,
 * ten executions invoked while both slots are busy all finish (before, the eight left queued waited for the next poll,
 * so a backlog drained at 32 executions a poll interval whatever the machine could do).
 */
@QuarkusTest
@TestProfile(WorkflowBacklogTest.TwoSlotsHourlyPoll.class)
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = Stubs.class, restrictToAnnotatedClass = false)
class WorkflowBacklogTest {

    public static class TwoSlotsHourlyPoll implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("weft.workflow.worker.concurrency", "2", "weft.workflow.worker.poll-interval", "1h");
        }
    }

    @Test
    void executions_queued_behind_busy_slots_run_when_a_slot_frees_not_at_the_next_poll() {
        String org = Api.newOrg();
        String path = "/backlog-" + System.nanoTime();
        Stubs.server().stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withFixedDelay(300)));
        String[] workflow = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "method", "POST", "url", Stubs.server().baseUrl() + path)));
        List<String> executions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            executions.add(as(org).body(Map.of("n", i)).post("/v1/triggers/" + workflow[1] + "/invoke").then().statusCode(202)
                    .extract().jsonPath().getString("execution_id"));
        }
        for (String execution : executions) {
            Api.awaitStatus(org, execution, "succeeded");
        }
    }
}
