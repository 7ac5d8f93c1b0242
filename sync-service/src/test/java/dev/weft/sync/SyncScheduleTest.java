package dev.weft.sync;

import dev.weft.platform.db.DueWork;
import dev.weft.platform.schedule.SchedulePoller;
import dev.weft.sync.schedule.SyncJob;
import dev.weft.sync.support.Api;
import dev.weft.sync.support.ConnectionsStub;
import dev.weft.sync.support.Runs;
import dev.weft.sync.support.TestClock;
import dev.weft.testing.WeftInfraResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.sync.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sync schedules on the platform's clustered scheduler, with time moved by a test clock instead of slept through:
 * cron and hourly syncs are due exactly at their times, missed times fire once, two scheduler instances racing
 * for the same due times queue one run each, and a sync whose run is still going is skipped, never run twice at once.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStub.class, restrictToAnnotatedClass = false)
class SyncScheduleTest {
    @Inject
    TestClock clock;

    @Inject
    SyncJob job;

    @Inject
    DueWork dueWork;

    @Inject
    DataSource dataSource;

    @AfterEach
    void systemTime() {
        clock.reset();
    }

    /** One replica's scheduler: the app's sync job, the test clock. */
    private SchedulePoller replica(String name) {
        return new SchedulePoller(dueWork, dataSource, List.of(job), new SimpleMeterRegistry(),
                new SchedulePoller.Settings(name, Duration.ofSeconds(60), 100), clock);
    }

    private static String scheduledSync(String org, String source, String destination, String schedule) {
        return as(org).body(Api.seedSync(source, destination, schedule)).post("/v1/syncs").then().statusCode(201).extract().path("id");
    }

    private static List<Map<String, Object>> runs(String org, String syncId) {
        return as(org).get("/v1/syncs/" + syncId + "/runs?limit=100").then().statusCode(200).extract().jsonPath().getList("data");
    }

    private static String nextRunAt(String org, String syncId) {
        return as(org).get("/v1/syncs/" + syncId).then().statusCode(200).extract().path("next_run_at");
    }

    private static void awaitIdle(String org, String syncId) throws InterruptedException {
        for (Map<String, Object> run : runs(org, syncId)) {
            Runs.awaitFinal(org, (String) run.get("id"));
        }
    }

    @Test
    void cron_and_hourly_syncs_fire_at_their_due_times_and_missed_times_once() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(3));
        var destination = Api.warehouse(org);
        clock.set(Instant.parse("2030-01-07T00:10:00Z"));
        String cron = scheduledSync(org, source.id, destination.id, "15 */2 * * *");
        String hourly = scheduledSync(org, source.id, destination.id, "hourly");
        assertEquals("2030-01-07T00:15:00Z", nextRunAt(org, cron));
        assertEquals("2030-01-07T01:00:00Z", nextRunAt(org, hourly));
        SchedulePoller scheduler = replica("a");

        scheduler.fireDue();
        assertEquals(0, runs(org, cron).size(), "not due before 00:15");

        clock.set(Instant.parse("2030-01-07T00:15:00Z"));
        scheduler.fireDue();
        assertEquals(1, runs(org, cron).size());
        assertEquals("schedule", runs(org, cron).getFirst().get("trigger"));
        assertEquals(0, runs(org, hourly).size());
        assertEquals("2030-01-07T02:15:00Z", nextRunAt(org, cron));
        awaitIdle(org, cron);

        // Five hours later: the cron sync missed 02:15 and 04:15, the hourly one 01:00 to 05:00; each runs once.
        clock.set(Instant.parse("2030-01-07T05:20:00Z"));
        scheduler.fireDue();
        assertEquals(2, runs(org, cron).size());
        assertEquals(1, runs(org, hourly).size());
        assertEquals("2030-01-07T06:15:00Z", nextRunAt(org, cron));
        assertEquals("2030-01-07T06:00:00Z", nextRunAt(org, hourly));
        awaitIdle(org, cron);
        awaitIdle(org, hourly);
        JsonPath last = Runs.awaitFinal(org, (String) runs(org, hourly).getFirst().get("id"));
        assertEquals("succeeded", last.getString("status"));
        assertEquals(3, last.getLong("progress.read"));
    }

    @Test
    void each_due_time_queues_one_run_across_two_scheduler_instances() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(2));
        var destination = Api.warehouse(org);
        clock.set(Instant.parse("2031-03-03T08:00:00Z"));
        List<String> syncs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            syncs.add(scheduledSync(org, source.id, destination.id, "0 9 * * *"));
        }
        clock.set(Instant.parse("2031-03-03T09:00:01Z"));
        SchedulePoller a = replica("a");
        SchedulePoller b = replica("b");
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
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
                round.get();
            }
        } finally {
            threads.shutdown();
        }
        for (String sync : syncs) {
            assertEquals(1, runs(org, sync).size(), "one run for " + sync);
            assertEquals("2031-03-04T09:00:00Z", nextRunAt(org, sync));
        }
        // Both look again: nothing is due any more.
        a.fireDue();
        b.fireDue();
        for (String sync : syncs) {
            assertEquals(1, runs(org, sync).size());
            awaitIdle(org, sync);
        }
    }

    @Test
    void a_due_time_is_skipped_while_the_syncs_run_is_still_going() throws Exception {
        String org = Api.newOrg();
        var source = Api.salesforce(org).rows("Contact", Runs.contacts(5));
        var destination = Api.warehouse(org);
        clock.set(Instant.parse("2032-06-01T10:30:00Z"));
        String sync = scheduledSync(org, source.id, destination.id, "hourly");
        source.gate = new CountDownLatch(1);
        try {
            clock.set(Instant.parse("2032-06-01T11:00:00Z"));
            SchedulePoller scheduler = replica("a");
            scheduler.fireDue();
            assertEquals(1, runs(org, sync).size());
            clock.set(Instant.parse("2032-06-01T12:00:00Z"));
            scheduler.fireDue();
            assertEquals(1, runs(org, sync).size(), "the 12:00 due time is skipped: the 11:00 run is still going");
            assertEquals("2032-06-01T13:00:00Z", nextRunAt(org, sync));
            String active = (String) runs(org, sync).getFirst().get("id");
            as(org).post("/v1/syncs/" + sync + "/run").then().statusCode(409).body("error.details.run_id", equalTo(active));
            source.gate.countDown();
            assertEquals("succeeded", Runs.awaitFinal(org, active).getString("status"));
        } finally {
            source.gate.countDown();
            source.gate = null;
        }
    }
}
