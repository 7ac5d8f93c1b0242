package dev.weft.platform;

import dev.weft.platform.db.DueWork;
import dev.weft.platform.schedule.Schedule;
import dev.weft.platform.schedule.ScheduleFiring;
import dev.weft.platform.schedule.SchedulePoller;
import dev.weft.platform.schedule.ScheduledJob;
import dev.weft.platform.schedule.Schedules;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.platform.testapp.WidgetTicks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The clustered scheduler against a real database: several pollers (each what one replica runs)
 * racing on the same rows, a replica's connection killed mid-fire, misfires, and the service's own
 * poller firing its job through the API's schedule.
 *
 * <p>Schedules here use a once-a-year expression and are made due by moving {@code next_fire_at}
 * (or a lease) into the past: the test decides when a due time comes, and the clock never brings
 * one of its own mid-test.
 */
@QuarkusTest
class SchedulesTest extends PlatformTestBase {
    private static final String YEARLY = "0 0 1 1 *";

    @Inject
    DueWork dueWork;

    @Inject
    DataSource dataSource;

    @Inject
    Schedules schedules;

    @Inject
    MeterRegistry metrics;

    @Inject
    SystemPrincipal system;

    /** A job of a kind of its own that records each firing in schedule_firings, inside the firing's transaction. */
    private ScheduledJob recorder(String kind, String instance) {
        return new ScheduledJob() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public Outcome fire(ScheduleFiring firing) throws SQLException {
                record(firing, instance);
                return Outcome.FIRED;
            }
        };
    }

    private void record(ScheduleFiring firing, String instance) throws SQLException {
        try (Connection db = dataSource.getConnection(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO schedule_firings (schedule_id, owner_id, org_id, principal_org, due_at, instance) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setObject(1, firing.scheduleId());
            insert.setString(2, firing.ownerId());
            insert.setString(3, firing.orgId());
            insert.setString(4, TenantContext.requireOrgId());
            insert.setObject(5, firing.dueAt().atOffset(ZoneOffset.UTC));
            insert.setString(6, instance);
            insert.executeUpdate();
        }
    }

    private SchedulePoller replica(String instance, int batchSize, ScheduledJob job) {
        return new SchedulePoller(dueWork, dataSource, List.of(job), new SimpleMeterRegistry(),
                new SchedulePoller.Settings(instance, Duration.ofSeconds(60), batchSize));
    }

    private static String uniqueKind(String name) {
        return name + "-" + System.nanoTime();
    }

    private void upsert(String org, String kind, String ownerId, String expression) {
        QuarkusTransaction.requiringNew().run(() -> TenantContext.runAs(SystemPrincipal.of(org, "test"),
                () -> schedules.upsert(kind, ownerId, expression, "UTC")));
    }

    private <T> T as(String org, Supplier<T> work) {
        try {
            return TenantContext.callAs(SystemPrincipal.of(org, "test"), work::get);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** Makes every schedule of {@code kind} due at {@code due}, as the passing of time would. */
    private void makeDue(String kind, Instant due) {
        sql("UPDATE schedules SET next_fire_at = ?, leased_until = NULL WHERE kind = ?", due.atOffset(ZoneOffset.UTC), kind);
    }

    private int sql(String statement, Object... parameters) {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String query, Object... parameters) {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(query)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> row(String kind, String ownerId) {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(
                "SELECT next_fire_at, leased_until, last_fired_at, last_outcome FROM schedules WHERE kind = ? AND owner_id = ?")) {
            select.setString(1, kind);
            select.setString(2, ownerId);
            try (ResultSet rows = select.executeQuery()) {
                assertTrue(rows.next(), "schedule " + kind + "/" + ownerId);
                Map<String, Object> row = new HashMap<>();
                for (String column : List.of("next_fire_at", "leased_until", "last_fired_at")) {
                    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
                    row.put(column, value == null ? null : value.toInstant());
                }
                row.put("last_outcome", rows.getString("last_outcome"));
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void each_due_time_fires_once_across_two_replicas_racing_for_it() throws Exception {
        String kind = uniqueKind("race");
        int schedulesCount = 60;
        int rounds = 5;
        List<String> orgs = List.of(newOrg(), newOrg(), newOrg());
        for (int i = 0; i < schedulesCount; i++) {
            upsert(orgs.get(i % orgs.size()), kind, "race_" + i, YEARLY);
        }
        // Two replicas, each its own poller with small batches, polling as fast as they can.
        Map<String, SchedulePoller> replicas = Map.of("a", replica("a", 4, recorder(kind, "a")), "b", replica("b", 4, recorder(kind, "b")));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        replicas.forEach((name, poller) -> threads.add(Thread.ofPlatform().name("replica-" + name).start(() -> {
            while (running.get()) {
                try {
                    if (poller.fireDue() == 0) {
                        Thread.sleep(2);
                    }
                } catch (Throwable e) {
                    crashed.compareAndSet(null, e);
                    return;
                }
            }
        })));
        List<Instant> dues = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                Instant due = micros(Instant.now().minus(Duration.ofHours(1)).plusSeconds(round));
                dues.add(due);
                makeDue(kind, due);
                await("round " + round, () -> crashed.get() != null
                        || count("SELECT count(DISTINCT f.schedule_id) FROM schedule_firings f JOIN schedules s ON s.id = f.schedule_id"
                        + " WHERE s.kind = ? AND f.due_at = ?",
                        kind, due.atOffset(ZoneOffset.UTC)) >= schedulesCount);
                // Everything of this round committed; each schedule is next due next January, so nothing more is due.
                assertEquals(0, count("SELECT count(*) FROM schedules WHERE kind = ? AND next_fire_at <= now()", kind));
            }
        } finally {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        assertNull(crashed.get(), () -> "a replica crashed: " + crashed.get());

        String firings = "FROM schedule_firings f JOIN schedules s ON s.id = f.schedule_id WHERE s.kind = ?";
        assertEquals((long) schedulesCount * rounds, count("SELECT count(*) " + firings, kind), "one firing per schedule per round in total");
        assertEquals(0, count("SELECT count(*) FROM (SELECT 1 " + firings + " GROUP BY f.schedule_id, f.due_at HAVING count(*) > 1) twice", kind),
                "no due time fired twice");
        for (Instant due : dues) {
            assertEquals(schedulesCount, count("SELECT count(DISTINCT f.schedule_id) " + firings + " AND f.due_at = ?", kind, due.atOffset(ZoneOffset.UTC)),
                    "every schedule fired for due time " + due);
        }
        assertEquals(0, count("SELECT count(*) " + firings + " AND (f.principal_org <> s.org_id OR f.org_id <> s.org_id)", kind),
                "each job ran as its schedule's org");
        // Both replicas took part: the race was real, not one replica doing everything.
        for (String name : replicas.keySet()) {
            assertTrue(count("SELECT count(*) " + firings + " AND f.instance = ?", kind, name) > 0, "replica " + name + " fired some");
        }
        assertEquals(0, count("SELECT count(*) FROM schedules WHERE kind = ? AND (leased_until IS NOT NULL OR last_outcome <> 'fired')", kind),
                "no claim left behind");
    }

    @Test
    void a_replica_killed_mid_fire_hands_the_due_time_to_another_once_its_lease_runs_out() throws Exception {
        String kind = uniqueKind("lease");
        String org = newOrg();
        upsert(org, kind, "lease_1", YEARLY);
        Instant due = micros(Instant.now().minus(Duration.ofMinutes(5)));
        makeDue(kind, due);

        // Replica A's job writes its effect, then stalls until its database connection has been killed.
        AtomicInteger backend = new AtomicInteger();
        CountDownLatch firing = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        ScheduledJob stalling = new ScheduledJob() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public Outcome fire(ScheduleFiring schedule) throws Exception {
                record(schedule, "a");
                try (Connection db = dataSource.getConnection(); PreparedStatement pid = db.prepareStatement("SELECT pg_backend_pid()");
                     ResultSet row = pid.executeQuery()) {
                    row.next();
                    backend.set(row.getInt(1));
                }
                firing.countDown();
                assertTrue(killed.await(60, TimeUnit.SECONDS));
                record(schedule, "a-after-kill");
                return Outcome.FIRED;
            }
        };
        SchedulePoller a = replica("a", 10, stalling);
        SchedulePoller b = replica("b", 10, recorder(kind, "b"));
        AtomicInteger firedByA = new AtomicInteger(-1);
        Thread replicaA = Thread.ofPlatform().start(() -> firedByA.set(a.fireDue()));
        assertTrue(firing.await(60, TimeUnit.SECONDS), "replica A is firing");
        // What kill -9 does to a replica's transaction: its connection drops and PostgreSQL rolls it back.
        assertEquals(1, count("SELECT count(*) FROM (SELECT pg_terminate_backend(?) AS terminated) t WHERE terminated", backend.get()));
        killed.countDown();
        replicaA.join();
        assertEquals(0, firedByA.get(), "replica A fired nothing");

        Map<String, Object> row = row(kind, "lease_1");
        assertEquals(due, row.get("next_fire_at"), "the due time is still to fire");
        assertTrue(((Instant) row.get("leased_until")).isAfter(Instant.now()), "A's claim holds until its lease runs out");
        assertEquals(0, b.fireDue(), "another replica leaves it alone while A's lease holds");
        assertEquals(0, count("SELECT count(*) FROM schedule_firings WHERE owner_id = 'lease_1'"), "nothing of A's firing committed");

        // A's lease runs out (moved, rather than waited for).
        sql("UPDATE schedules SET leased_until = now() - interval '1 millisecond' WHERE kind = ?", kind);
        assertEquals(1, b.fireDue(), "replica B fires it");
        assertEquals(0, b.fireDue(), "once");
        assertEquals(1, count("SELECT count(*) FROM schedule_firings WHERE owner_id = 'lease_1'"));
        assertEquals(1, count("SELECT count(*) FROM schedule_firings WHERE owner_id = 'lease_1' AND instance = 'b' AND due_at = ?",
                due.atOffset(ZoneOffset.UTC)), "B fired the due time A had claimed");
        row = row(kind, "lease_1");
        assertEquals(due, row.get("last_fired_at"));
        assertNull(row.get("leased_until"));
        assertTrue(((Instant) row.get("next_fire_at")).isAfter(Instant.now()));
    }

    @Test
    void a_replica_whose_lease_ran_out_before_it_fired_fires_nothing() {
        String kind = uniqueKind("stale");
        upsert(newOrg(), kind, "stale_1", YEARLY);
        makeDue(kind, micros(Instant.now().minusSeconds(30)));
        SchedulePoller b = replica("b", 10, recorder(kind, "b"));
        // Replica A claims, then stalls; meanwhile its lease runs out and B fires the schedule. Then A goes on.
        DueWork stallingAfterClaim = new DueWork(dataSource, system) {
            @Override
            public <T> void forEach(String what, List<T> claimed, Function<T, String> orgOf, Consumer<T> work) {
                assertEquals(1, claimed.size());
                sql("UPDATE schedules SET leased_until = now() - interval '1 millisecond' WHERE kind = ?", kind);
                assertEquals(1, b.fireDue());
                super.forEach(what, claimed, orgOf, work);
            }
        };
        SchedulePoller a = new SchedulePoller(stallingAfterClaim, dataSource, List.of(recorder(kind, "a")), new SimpleMeterRegistry(),
                new SchedulePoller.Settings("a", Duration.ofSeconds(60), 10));
        assertEquals(0, a.fireDue(), "A's claim was no longer its own");
        assertEquals(1, count("SELECT count(*) FROM schedule_firings WHERE owner_id = 'stale_1'"));
        assertEquals(0, count("SELECT count(*) FROM schedule_firings WHERE owner_id = 'stale_1' AND instance = 'a'"));
    }

    @Test
    void a_schedule_that_missed_many_due_times_fires_once_then_keeps_its_cadence() {
        String kind = uniqueKind("misfire");
        String org = newOrg();
        upsert(org, kind, "misfire_1", "hourly");
        Instant due = micros(Instant.now().minus(Duration.ofHours(5)));
        makeDue(kind, due);
        SchedulePoller poller = replica("a", 10, recorder(kind, "a"));
        assertEquals(1, poller.fireDue());
        assertEquals(0, poller.fireDue(), "five missed hours fire once");
        Map<String, Object> row = row(kind, "misfire_1");
        assertEquals(due, row.get("last_fired_at"), "the firing is for the earliest missed due time");
        Instant nextHour = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        Instant next = (Instant) row.get("next_fire_at");
        assertTrue(next.equals(nextHour) || next.equals(nextHour.plus(Duration.ofHours(1))), "next due at the top of the coming hour: " + next);
        assertEquals(1, count("SELECT count(*) FROM schedule_firings WHERE owner_id = 'misfire_1'"));
    }

    @Test
    void the_service_poller_fires_its_job_as_the_org_and_counts_each_outcome() throws Exception {
        String org = newOrg();
        String ticking = createWidget(org, "ticking");
        String busy = createWidget(org, "busy");
        String broken = createWidget(org, "broken");
        for (String widget : List.of(ticking, busy, broken)) {
            writer(org).body("{\"schedule\":\"" + YEARLY + "\",\"timezone\":\"Europe/Berlin\"}").when().put("/v1/widgets/" + widget + "/schedule")
                    .then().statusCode(200).body("schedule", equalTo(YEARLY)).body("timezone", equalTo("Europe/Berlin")).body("enabled", equalTo(true));
        }
        double fired = counter("fired");
        double skipped = counter("skipped");
        double failed = counter("failed");
        Instant due = micros(Instant.now().minusSeconds(1));
        for (String widget : List.of(ticking, busy, broken)) {
            sql("UPDATE schedules SET next_fire_at = ? WHERE kind = ? AND owner_id = ?", due.atOffset(ZoneOffset.UTC), WidgetTicks.KIND, widget);
        }
        await("the app's poller handles all three", () -> List.of(ticking, busy, broken).stream()
                .allMatch(widget -> due.equals(row(WidgetTicks.KIND, widget).get("last_fired_at"))));

        writer(org).when().get("/v1/widgets/" + ticking).then().statusCode(200).body("size", equalTo(4));
        writer(org).when().get("/v1/widgets/" + ticking + "/schedule").then().statusCode(200).body("last_outcome", equalTo("fired"))
                .body("last_fired_at", equalTo(due.toString())).body("next_fire_at", equalTo(nextNewYearInBerlin().toString()));
        writer(org).when().get("/v1/widgets/" + busy).then().statusCode(200).body("size", equalTo(3));
        writer(org).when().get("/v1/widgets/" + busy + "/schedule").then().statusCode(200).body("last_outcome", equalTo("skipped"));
        // The broken job's growth rolled back, and its due time is spent all the same.
        writer(org).when().get("/v1/widgets/" + broken).then().statusCode(200).body("size", equalTo(3));
        writer(org).when().get("/v1/widgets/" + broken + "/schedule").then().statusCode(200).body("last_outcome", equalTo("failed"))
                .body("next_fire_at", equalTo(nextNewYearInBerlin().toString()));

        assertEquals(fired + 1, counter("fired"));
        assertEquals(skipped + 1, counter("skipped"));
        assertEquals(failed + 1, counter("failed"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("weft_schedule_firings_total{kind=\"widget-tick\",outcome=\"failed\"}"))
                .body(containsString("weft_schedule_delay_seconds_count{kind=\"widget-tick\"}"))
                // every claim of due work is timed, per table
                .body(containsString("weft_due_work_claim_seconds_count{table=\"schedules\"}"));
    }

    @Test
    void a_refused_expression_is_a_400_naming_the_problem_and_its_resource_is_not_created() {
        String org = newOrg();
        writer(org).body("{\"name\":\"scheduled\",\"size\":3,\"schedule\":\"every hour\"}").when().post("/v1/widgets")
                .then().statusCode(400)
                .body("error.code", equalTo("INVALID_REQUEST"))
                .body("error.details.field", equalTo("schedule"))
                .body("error.details.constraint", equalTo("cron"))
                .body("error.message", equalTo("schedule \"every hour\" is not \"hourly\", \"daily\" or a 5-field cron expression"
                        + " (minute hour day-of-month month day-of-week): it has 2 fields"));
        writer(org).when().get("/v1/widgets").then().statusCode(200).body("data.size()", equalTo(0));

        String widget = createWidget(org, "plain");
        writer(org).body("{\"schedule\":\"61 * * * *\"}").when().put("/v1/widgets/" + widget + "/schedule")
                .then().statusCode(400).body("error.details.field", equalTo("schedule"))
                .body("error.message", equalTo("schedule \"61 * * * *\" is not a valid cron expression: value 61 not in range [0, 59]"));
        writer(org).body("{\"schedule\":\"daily\",\"timezone\":\"Mars/Olympus\"}").when().put("/v1/widgets/" + widget + "/schedule")
                .then().statusCode(400).body("error.details.field", equalTo("timezone")).body("error.details.constraint", equalTo("timezone"));
        writer(org).when().get("/v1/widgets/" + widget + "/schedule").then().statusCode(404);

        writer(org).body("{\"name\":\"scheduled\",\"size\":3,\"schedule\":\"daily\",\"timezone\":\"Europe/Berlin\"}").when().post("/v1/widgets")
                .then().statusCode(201);
    }

    @Test
    void a_schedule_is_edited_paused_resumed_and_removed_with_its_resource() {
        String org = newOrg();
        String widget = createWidget(org, "edited");
        writer(org).body("{\"schedule\":\"hourly\"}").when().put("/v1/widgets/" + widget + "/schedule").then().statusCode(200)
                .body("timezone", equalTo("UTC"));
        Instant marker = micros(Instant.now().plus(Duration.ofMinutes(7)));
        sql("UPDATE schedules SET next_fire_at = ? WHERE kind = ? AND owner_id = ?", marker.atOffset(ZoneOffset.UTC), WidgetTicks.KIND, widget);

        // The same expression written again (an edit of something else) keeps its due time.
        writer(org).body("{\"schedule\":\"hourly\"}").when().put("/v1/widgets/" + widget + "/schedule").then().statusCode(200)
                .body("next_fire_at", equalTo(marker.toString()));
        // A new expression starts from its first time after the edit (midnight UTC; either side of one, if the test runs across it).
        String before = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)).toString();
        writer(org).body("{\"schedule\":\"daily\"}").when().put("/v1/widgets/" + widget + "/schedule").then().statusCode(200)
                .body("schedule", equalTo("daily"))
                .body("next_fire_at", anyOf(equalTo(before), equalTo(Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)).toString())));

        assertTrue(as(org, () -> schedules.pause(WidgetTicks.KIND, widget)));
        Schedule paused = as(org, () -> schedules.find(WidgetTicks.KIND, widget)).orElseThrow();
        assertFalse(paused.enabled());
        assertNull(paused.nextFireAt(), "a paused schedule is never due");
        Schedule resumed = as(org, () -> schedules.resume(WidgetTicks.KIND, widget)).orElseThrow();
        assertTrue(resumed.enabled());
        assertNotNull(resumed.nextFireAt());
        assertTrue(resumed.nextFireAt().isAfter(Instant.now()), "resumed from the next due time, not the missed ones");

        // Another org sees no schedule of this widget and cannot change it.
        String other = newOrg();
        assertTrue(as(other, () -> schedules.find(WidgetTicks.KIND, widget)).isEmpty());
        assertFalse(as(other, () -> schedules.remove(WidgetTicks.KIND, widget)));

        writer(org).when().delete("/v1/widgets/" + widget).then().statusCode(204);
        assertEquals(0, count("SELECT count(*) FROM schedules WHERE owner_id = ?", widget), "deleted with its widget");
        List<Instant> preview = schedules.nextFireTimes("daily", null, 2);
        assertEquals(Duration.ofDays(1), Duration.between(preview.get(0), preview.get(1)));
        assertEquals(preview.get(0), preview.get(0).truncatedTo(ChronoUnit.DAYS), "at midnight UTC");
        assertTrue(preview.get(0).isAfter(Instant.now().minusSeconds(60)) && preview.get(0).isBefore(Instant.now().plus(Duration.ofDays(1))));
    }

    private double counter(String outcome) {
        Counter counter = metrics.find("weft.schedule.firings").tags("kind", WidgetTicks.KIND, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Instant nextNewYearInBerlin() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        return ZonedDateTime.of(ZonedDateTime.now(berlin).getYear() + 1, 1, 1, 0, 0, 0, 0, berlin).toInstant();
    }
}
