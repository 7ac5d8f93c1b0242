package dev.weft.platform;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every service exposes Prometheus metrics at /q/metrics: HTTP, JVM, Kafka clients and the platform's own. */
@QuarkusTest
class MetricsTest extends PlatformTestBase {

    @Test
    void metrics_cover_http_jvm_kafka_consumer_lag_and_the_outbox() throws InterruptedException {
        createWidget(newOrg(), "measured");
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds_count"))
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("weft_outbox_backlog"))
                .body(containsString("weft_outbox_oldest_age_seconds"));
        // The consumers' lag appears once they have been assigned partitions.
        Instant deadline = Instant.now().plusSeconds(30);
        String body = "";
        while (Instant.now().isBefore(deadline) && !body.contains("kafka_consumer_fetch_manager_records_lag")) {
            body = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            Thread.sleep(Duration.ofMillis(500));
        }
        assertTrue(body.contains("kafka_consumer_fetch_manager_records_lag"), "Kafka consumer lag is exported");
    }
}
