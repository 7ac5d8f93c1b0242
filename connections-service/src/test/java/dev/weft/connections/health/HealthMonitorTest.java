package dev.weft.connections.health;

import dev.weft.connections.support.Api;
import dev.weft.connections.support.ConnectionsStubs;
import dev.weft.connections.support.Databases;
import dev.weft.platform.events.Topics;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Periodic checks (every second in tests) set each connection's status and announce changes. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ConnectionsStubs.class, restrictToAnnotatedClass = false)
class HealthMonitorTest {

    @Test
    void invalid_credentials_make_a_connection_failing_and_say_so_on_kafka() {
        // MariaDB checks passwords (this machine's PostgreSQL trusts every local login).
        Databases.assumeMariaDb();
        String org = Api.newOrg();
        String body = Databases.mariadb().connectionBody().replace("\"username\":\"root\"}", "\"username\":\"root\",\"password\":\"wr0ng-pass\"}");
        try (TopicProbe events = new TopicProbe(Topics.CONNECTIONS)) {
            String id = Api.as(org).body(body).post("/v1/connections").then().statusCode(201).extract().path("id");
            List<ConsumerRecord<String, byte[]>> changes = events.await(r -> id.equals(r.key())
                    && "connection.health_changed".equals(TopicProbe.header(r, "ce_type")), 1, Duration.ofSeconds(30));
            assertEquals(1, changes.size(), "connection.health_changed was published");
            String event = new String(changes.get(0).value());
            assertTrue(event.contains("\"status\":\"failing\"") && event.contains("\"previous_status\":\"pending\""), event);
            assertFalse(event.contains("wr0ng-pass"), "no secret in the event");
            assertEquals(org, TopicProbe.header(changes.get(0), "ce_orgid"));

            Api.as(org).get("/v1/connections/" + id + "/status").then().statusCode(200)
                    .body("status", equalTo("failing"))
                    .body("message", containsString("Access denied"))
                    .body("message", not(containsString("wr0ng-pass")))
                    .body("last_checked_at", notNullValue());
        }
    }

    @Test
    void a_reachable_database_is_healthy() {
        String org = Api.newOrg();
        String id = Api.as(org).body(Databases.postgres().connectionBody()).post("/v1/connections").then().statusCode(201).extract().path("id");
        Api.as(org).get("/v1/connections/" + id + "/status?check=true").then().statusCode(200)
                .body("status", equalTo("healthy")).body("consecutive_failures", equalTo(0));
    }
}
