package dev.weft.workflow;

import dev.weft.platform.id.TypeId;
import dev.weft.testing.WeftInfraResource;
import dev.weft.workflow.execution.ExecutionWorker;
import dev.weft.workflow.support.Api;
import dev.weft.workflow.support.Stubs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.workflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replicas that die: this app's own worker is off, and the test plays the replicas through
 * {@link ExecutionWorker#runDueAs}: one claims an execution and stops after some steps without a word (as kill -9
 * leaves it), another takes it over once the lease has run out.
 */
@QuarkusTest
@TestProfile(WorkflowTakeoverTest.ReplicasByHand.class)
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = Stubs.class, restrictToAnnotatedClass = false)
class WorkflowTakeoverTest {

    public static class ReplicasByHand implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("weft.workflow.worker.enabled", "false", "weft.workflow.worker.lease", "2s");
        }
    }

    @Inject
    ExecutionWorker worker;

    @Test
    void another_replica_resumes_after_the_lease_without_repeating_a_done_step() {
        String org = Api.newOrg();
        String first = "/first/" + TypeId.generate("x");
        String second = "/second/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(first)).willReturn(aResponse().withStatus(200)));
        Stubs.server().stubFor(post(urlPathEqualTo(second)).willReturn(aResponse().withStatus(200)));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "http", "url", Stubs.server().baseUrl() + first),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + second)));
        String execution = as(org).body("{}").post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");

        // Replica A runs the first step and dies holding the claim.
        runUntilClaimed("replica-a", 1);
        JsonPath half = as(org).get("/v1/executions/" + execution).then().extract().jsonPath();
        assertEquals("running", half.getString("status"));
        assertEquals("succeeded", half.getString("steps[0].status"));
        assertEquals("pending", half.getString("steps[1].status"));
        // Replica B finds nothing while A's lease holds, then takes over.
        assertEquals(0, worker.runDueAs("replica-b", Integer.MAX_VALUE));
        Api.sleep(2500);
        assertEquals(1, worker.runDueAs("replica-b", Integer.MAX_VALUE));
        JsonPath done = as(org).get("/v1/executions/" + execution).then().extract().jsonPath();
        assertEquals("succeeded", done.getString("status"));
        assertEquals(1, done.getInt("steps[0].attempts"));
        assertEquals(1, done.getInt("steps[1].attempts"));
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(first))).size());
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(second))).size());
    }

    @Test
    void a_delay_survives_the_replica_that_started_it() {
        String org = Api.newOrg();
        String after = "/after/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(after)).willReturn(aResponse().withStatus(200)));
        String[] wf = Api.apiCallWorkflow(org, List.of(Map.of("type", "delay", "duration", "2s"),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + after)));
        String execution = as(org).body("{}").post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        runUntilClaimed("replica-a", Integer.MAX_VALUE);
        JsonPath waiting = as(org).get("/v1/executions/" + execution).then().extract().jsonPath();
        assertEquals("waiting", waiting.getString("status"));
        assertNotNull(waiting.getString("resume_at"));
        // Replica A is gone; nothing is due before the delay ends.
        assertEquals(0, worker.runDueAs("replica-b", Integer.MAX_VALUE));
        assertEquals(0, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(after))).size());
        Api.sleep(2500);
        assertEquals(1, worker.runDueAs("replica-b", Integer.MAX_VALUE));
        JsonPath done = as(org).get("/v1/executions/" + execution).then().extract().jsonPath();
        assertEquals("succeeded", done.getString("status"));
        assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(after))).size());
    }

    private void runUntilClaimed(String owner, int steps) {
        for (int i = 0; i < 50; i++) {
            if (worker.runDueAs(owner, steps) > 0) {
                return;
            }
            Api.sleep(100);
        }
        throw new AssertionError("nothing to claim");
    }
}
