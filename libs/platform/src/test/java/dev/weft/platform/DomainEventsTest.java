package dev.weft.platform;

import dev.weft.platform.events.DomainEventConsumer;
import dev.weft.platform.testapp.WidgetEvents;
import dev.weft.platform.testapp.WidgetResource;
import dev.weft.testing.TestCredentials;
import dev.weft.testing.TestEvents;
import dev.weft.testing.TopicProbe;
import dev.weft.testing.WeftTestInfra;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service's handler fed through the platform's one consumption mechanism, over a real Kafka
 * topic and a real database: at most once per event, bounded retries, then the dead-letter topic.
 */
@QuarkusTest
class DomainEventsTest extends PlatformTestBase {
    private static final String DLQ = "weft.platform-test.dlq";

    @Test
    void a_redelivered_event_acts_once() throws InterruptedException {
        String org = newOrg();
        String widget = createWidget(org, "grows");
        String data = "{\"widget_id\":\"" + widget + "\"}";
        String eventId = TestEvents.publish(WidgetResource.TOPIC, "widget.grow", org, widget, data);
        awaitSize(org, widget, 4);
        // The same event again, as a redelivery after a crash would bring it, then a new one.
        TestEvents.publish(WidgetResource.TOPIC, eventId, "widget.grow", org, widget, data);
        TestEvents.publish(WidgetResource.TOPIC, "widget.grow", org, widget, data);
        awaitSize(org, widget, 5);
        Thread.sleep(500);
        assertEquals(5, size(org, widget), "the redelivered event was not handled a second time");
    }

    @jakarta.inject.Inject
    javax.sql.DataSource dataSource;

    @Test
    void events_a_handler_has_nothing_to_do_for_are_neither_handled_nor_claimed() throws Exception {
        String org = newOrg();
        String widget = createWidget(org, "noop");
        String data = "{\"widget_id\":\"" + widget + "\"}";
        String noop = TestEvents.publish(WidgetResource.TOPIC, "widget.noop", org, widget, data);
        String grow = TestEvents.publish(WidgetResource.TOPIC, "widget.grow", org, widget, data);
        // Same key, same partition: once the grow is applied, the no-op before it was consumed.
        awaitSize(org, widget, 4);
        assertEquals(false, WidgetEvents.ATTEMPTS.containsKey(noop), "not handed to the handler");
        try (java.sql.Connection db = dataSource.getConnection();
             java.sql.PreparedStatement claims = db.prepareStatement("SELECT event_id FROM processed_events WHERE consumer = 'widget-events' AND event_id IN (?, ?)")) {
            claims.setString(1, noop);
            claims.setString(2, grow);
            List<String> claimed = new java.util.ArrayList<>();
            try (java.sql.ResultSet rows = claims.executeQuery()) {
                while (rows.next()) {
                    claimed.add(rows.getString(1));
                }
            }
            assertEquals(List.of(grow), claimed, "only the event acted on is claimed");
        }
    }

    @Test
    void a_handler_failing_three_times_lands_in_the_dead_letter_topic_with_its_error_and_the_next_event_goes_on() throws InterruptedException {
        try (TopicProbe dlq = new TopicProbe(DLQ)) {
            String org = newOrg();
            String widget = createWidget(org, "after-poison");
            String poison = TestEvents.publish(WidgetResource.TOPIC, "widget.poison", org, widget, "{\"widget_id\":\"" + widget + "\"}");
            TestEvents.publish(WidgetResource.TOPIC, "widget.grow", org, widget, "{\"widget_id\":\"" + widget + "\"}");

            List<ConsumerRecord<String, byte[]>> dead = dlq.await(r -> poison.equals(header(r, "ce_id")), 1, Duration.ofSeconds(30));
            assertEquals(1, dead.size(), "the poison event was dead-lettered");
            ConsumerRecord<String, byte[]> letter = dead.get(0);
            assertEquals(3, WidgetEvents.ATTEMPTS.get(poison).get(), "three attempts before giving up");
            assertEquals("widget-events", header(letter, DomainEventConsumer.DLQ_HANDLER));
            assertEquals("3", header(letter, DomainEventConsumer.DLQ_ATTEMPTS));
            assertEquals("java.lang.IllegalArgumentException", header(letter, DomainEventConsumer.DLQ_EXCEPTION));
            assertTrue(header(letter, DomainEventConsumer.DLQ_REASON).contains("poison pill for the test, attempt 3"), header(letter, DomainEventConsumer.DLQ_REASON));
            assertEquals(WidgetResource.TOPIC, header(letter, DomainEventConsumer.DLQ_TOPIC));
            assertEquals("widget.poison", header(letter, "ce_type"));
            assertEquals(widget, letter.key());
            assertEquals("{\"widget_id\":\"" + widget + "\"}", new String(letter.value(), StandardCharsets.UTF_8));
            // The event behind it on the same partition (same key) was not held up.
            awaitSize(org, widget, 4);
            given().when().get("/q/metrics").then().statusCode(200)
                    .body(containsString("weft_events_dead_lettered_total{handler=\"widget-events\""));
        }
    }

    @Test
    void a_failure_that_clears_up_within_the_attempts_is_handled_and_not_dead_lettered() throws InterruptedException {
        try (TopicProbe dlq = new TopicProbe(DLQ)) {
            String org = newOrg();
            String widget = createWidget(org, "flaky");
            String flaky = TestEvents.publish(WidgetResource.TOPIC, "widget.flaky", org, widget, "{\"widget_id\":\"" + widget + "\"}");
            awaitSize(org, widget, 4);
            assertEquals(3, WidgetEvents.ATTEMPTS.get(flaky).get());
            assertTrue(dlq.drain(r -> flaky.equals(header(r, "ce_id")), Duration.ofSeconds(1)).isEmpty());
        }
    }

    @Test
    void a_record_that_is_no_cloud_event_is_dead_lettered_as_undecodable() {
        try (TopicProbe dlq = new TopicProbe(DLQ);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     WeftTestInfra.kafkaBootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            String key = "garbage-" + System.nanoTime();
            producer.send(new ProducerRecord<>(WidgetResource.TOPIC, key, "not json, no headers".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            List<ConsumerRecord<String, byte[]>> dead = dlq.await(r -> key.equals(r.key()), 1, Duration.ofSeconds(30));
            assertEquals(1, dead.size());
            assertEquals("undecodable", header(dead.get(0), DomainEventConsumer.DLQ_HANDLER));
            assertEquals("not json, no headers", new String(dead.get(0).value(), StandardCharsets.UTF_8));
        }
    }

    private static int size(String org, String widget) {
        // Polled often: a plan whose rate limit the polling cannot reach.
        return given().header("Authorization", TestCredentials.bearerOnPlan(org, "enterprise", "widgets:read"))
                .when().get("/v1/widgets/" + widget).then().statusCode(200).extract().path("size");
    }

    private static void awaitSize(String org, String widget, int expected) throws InterruptedException {
        IntSupplier current = () -> size(org, widget);
        Instant deadline = Instant.now().plusSeconds(30);
        while (current.getAsInt() != expected && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertEquals(expected, current.getAsInt());
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
