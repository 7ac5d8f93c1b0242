package dev.weft.platform;

import dev.weft.platform.testapp.WidgetResource;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftTestInfra;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@QuarkusTest
class KafkaOutageTest extends PlatformTestBase {

    @Test
    void everything_written_while_kafka_was_down_is_published_once_it_is_back_and_readiness_says_so() {
        assumeTrue(WeftTestInfra.kafkaIsEmbedded(), "needs a broker this JVM can stop (WEFT_TEST_KAFKA_BOOTSTRAP unset)");
        String org = newOrg();
        List<String> ids = new ArrayList<>();
        WeftTestInfra.stopKafka();
        try {
            for (int i = 0; i < 20; i++) {
                ids.add(createWidget(org, "during-outage-" + i));
            }
            given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        } finally {
            WeftTestInfra.startKafka();
        }
        given().when().get("/q/health/live").then().statusCode(200);
        try (TopicProbe probe = new TopicProbe(WidgetResource.TOPIC)) {
            var events = probe.await(record -> ids.contains(record.key()), ids.size(), Duration.ofSeconds(90));
            assertEquals(new HashSet<>(ids), new HashSet<>(events.stream().map(r -> r.key()).toList()));
            assertEquals(ids.size(), probe.drain(record -> ids.contains(record.key()), Duration.ofSeconds(2)).size(),
                    "each committed event arrives once");
        }
    }
}
