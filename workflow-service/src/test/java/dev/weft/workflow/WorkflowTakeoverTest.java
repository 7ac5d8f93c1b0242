package dev.weft.workflow;

import dev.weft.platform.db.DueWork;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.schedule.SchedulePoller;
import dev.weft.workflow.trigger.ScheduleTriggerJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sql.DataSource;
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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.workflow.support.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replicas that die or race: this app's own worker and schedule poller are off, and the test plays the replicas
 * through {@link ExecutionWorker#runDueAs}: one claims an execution and stops after some steps without a word (as
 * kill -9 leaves it), another takes it over once the lease has run out (a real kill -9 of workflow-service is in the
 * e2e module); and through two {@link SchedulePoller}s racing for the same due times.
 */
@QuarkusTest
@TestProfile(WorkflowTakeoverTest.ReplicasByHand.class)
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = Stubs.class, restrictToAnnotatedClass = false)
class WorkflowTakeoverTest {

    public static class ReplicasByHand implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The app's own schedule poller is off too: the test's two pollers are the replicas.
            return Map.of("weft.workflow.worker.enabled", "false", "weft.workflow.worker.lease", "2s", "weft.platform.schedules.enabled", "false");
        }
    }

    @Inject
    ExecutionWorker worker;

    @Inject
    DueWork dueWork;

    @Inject
    DataSource dataSource;

    @Inject
    ScheduleTriggerJob scheduleJob;

    /** One replica's clustered scheduler: the app's schedule trigger job, the database all replicas share. */
    private SchedulePoller replica(String name, java.time.Clock clock) {
        return new SchedulePoller(dueWork, dataSource, List.of(scheduleJob), new SimpleMeterRegistry(),
                new SchedulePoller.Settings(name, Duration.ofSeconds(60), 100), clock);
    }

    @Test
    void a_schedule_fires_once_across_two_replicas() throws Exception {
        String org = Api.newOrg();
        List<String> workflows = new ArrayList<>();
        List<String> triggers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JsonPath created = Api.create(org, Map.of("name", "every minute " + i, "trigger", Map.of("type", "schedule", "cron", "* * * * *"),
                    "actions", List.of(Map.of("type", "delay", "duration", "1s"))));
            workflows.add(created.getString("id"));
            triggers.add(created.getString("trigger.id"));
        }
        // Their due time has come (rather than waiting for the next minute): the same row both replicas look at.
        try (Connection db = dataSource.getConnection();
             PreparedStatement due = db.prepareStatement("UPDATE schedules SET next_fire_at = now() - interval '1 second' WHERE owner_id = ANY(?)")) {
            due.setArray(1, db.createArrayOf("text", triggers.toArray()));
            assertEquals(10, due.executeUpdate());
        }
        // Both replicas at one fixed instant: on the wall clock, a first round just before a minute's end and a second
        // look just after it found the next due time (that minute) come, and fired every schedule again.
        java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC);
        SchedulePoller a = replica("replica-a", clock);
        SchedulePoller b = replica("replica-b", clock);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        int fired = 0;
        try {
            List<Future<Integer>> rounds = new ArrayList<>();
            for (SchedulePoller replica : List.of(a, b)) {
                rounds.add(threads.submit(() -> {
                    start.await();
                    return replica.fireDue();
                }));
            }
            start.countDown();
            for (Future<Integer> round : rounds) {
                fired += round.get();
            }
        } finally {
            threads.shutdown();
        }
        assertEquals(10, fired, "each due time claimed by one replica");
        // Both look again: nothing is due any more.
        assertEquals(0, a.fireDue() + b.fireDue());
        for (String workflow : workflows) {
            List<Map<String, Object>> executions = Api.executions(org, workflow);
            assertEquals(1, executions.size(), "one execution of " + workflow + ": " + executions);
            assertEquals("schedule", executions.getFirst().get("trigger_type"), executions.toString());
        }
    }

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

    /**
     * A transform, a condition and an http step run in memory, the http step begun unmarked (nothing is written before
     * its outcome); the claim is lost while the http call is in flight (the execution is cancelled): that replica's record
     * then writes nothing, neither the steps done in memory nor the http step's outcome.
     */
    @Test
    void a_claim_lost_while_steps_run_in_memory_writes_none_of_them() throws Exception {
        String org = Api.newOrg();
        String slow = "/slow/" + TypeId.generate("x");
        Stubs.server().stubFor(post(urlPathEqualTo(slow)).willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        String[] wf = Api.apiCallWorkflow(org, List.of(
                Map.of("type", "transform", "language", "jsonata", "code", "{\"n\": n}"),
                Map.of("type", "condition", "expression", "n > 0"),
                Map.of("type", "http", "url", Stubs.server().baseUrl() + slow)));
        String execution = as(org).body(Map.of("n", 1)).post("/v1/triggers/" + wf[1] + "/invoke").then().statusCode(202).extract().path("execution_id");
        ExecutorService replicaA = Executors.newSingleThreadExecutor();
        try {
            Future<?> run = replicaA.submit(() -> runUntilClaimed("replica-a", Integer.MAX_VALUE));
            // The http call is in flight: the steps before it ran in memory, nothing is recorded yet.
            for (int i = 0; i < 100 && Stubs.server().findAll(postRequestedFor(urlPathEqualTo(slow))).isEmpty(); i++) {
                Api.sleep(50);
            }
            assertEquals(1, Stubs.server().findAll(postRequestedFor(urlPathEqualTo(slow))).size());
            JsonPath midway = as(org).get("/v1/executions/" + execution).then().extract().jsonPath();
            assertEquals(List.of("pending", "pending", "pending"), midway.getList("steps.status"), midway.prettify());
            as(org).post("/v1/executions/" + execution + "/cancel").then().statusCode(200);
            run.get();
        } finally {
            replicaA.shutdown();
        }
        JsonPath after = as(org).get("/v1/executions/" + execution).then().extract().jsonPath();
        assertEquals("cancelled", after.getString("status"), after.prettify());
        assertEquals(List.of("cancelled", "cancelled", "cancelled"), after.getList("steps.status"), after.prettify());
        assertEquals(List.of(0, 0, 0), after.getList("steps.attempts"), after.prettify());
        assertEquals(0, worker.runDueAs("replica-b", Integer.MAX_VALUE), "nothing left to run");
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
