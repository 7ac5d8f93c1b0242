package dev.weft.webhook.fanout;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.webhook.delivery.Dispatcher;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import dev.weft.platform.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Consumes every domain topic ({@code weft.*.events}) as one consumer group, so partitions spread
 * over the replicas. Each polled batch is stored (messages and deliveries) in one transaction and
 * only then are its offsets committed: a crash between the two redelivers the batch, and the
 * messages' unique event id makes that harmless. When storing fails (PostgreSQL down), the
 * consumer rewinds to the last committed offsets and tries again after a pause; nothing is skipped.
 */
@ApplicationScoped
public class EventConsumer {
    static final Pattern TOPICS = Pattern.compile("weft\\..+\\.events");
    private static final String GROUP = "webhook-service";

    private final FanOut fanOut;
    private final DataSource dataSource;
    private final Dispatcher dispatcher;
    private final String bootstrapServers;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public EventConsumer(FanOut fanOut, DataSource dataSource, Dispatcher dispatcher,
                         @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.fanOut = fanOut;
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent startup) {
        running = true;
        thread = Thread.ofPlatform().name("webhook-event-consumer").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    private void run() {
        ensureTopics();
        while (running) {
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(settings(), new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = kafka;
                kafka.subscribe(TOPICS);
                while (running) {
                    ConsumerRecords<String, byte[]> records = kafka.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        continue;
                    }
                    FanOut.Accepted accepted = store(records);
                    // Stored and committed: the leased deliveries go out now, before Kafka's commit round trip.
                    dispatcher.take(accepted.leased());
                    if (accepted.created() > accepted.leased().size()) {
                        dispatcher.wake();
                    }
                    kafka.commitSync();
                }
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                // Storing or committing failed: reopen from the committed offsets after a pause.
                Log.warnf("event=webhook_consumer_restart error=%s message=\"%s\"", e.getClass().getSimpleName(), e.getMessage());
                sleep();
            }
        }
    }

    /**
     * Creates the domain topics that do not exist yet (broker defaults for partitions and replication). A pattern
     * subscription only notices a new topic at its next metadata refresh, so on a fresh install the first event of each
     * topic would wait seconds; with the topics there from the start it does not. Failing here (no rights to create
     * topics, say) costs only that wait.
     */
    private void ensureTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.ALL.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).values().forEach((topic, created) -> {
                    try {
                        created.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            Log.infof("event=webhook_topic_not_created topic=%s message=\"%s\"", topic, e.getMessage());
                        }
                    }
                });
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Log.infof("event=webhook_topics_not_checked error=%s message=\"%s\"", e.getClass().getSimpleName(),
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        }
    }

    private FanOut.Accepted store(ConsumerRecords<String, byte[]> records) {
        List<FanOut.Event> events = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            events.add(new FanOut.Event(header(record, "ce_id"), header(record, "ce_type"), header(record, "ce_orgid"), record.key(),
                    time(header(record, "ce_time")), record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8)));
        }
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                FanOut.Accepted accepted = fanOut.accept(db, events, dispatcher::takesNow, dispatcher.leaseSeconds());
                db.commit();
                return accepted;
            } catch (Exception e) {
                db.rollback();
                throw e;
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not store " + events.size() + " events: " + e.getMessage(), e);
        }
    }

    private Properties settings() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        // New topics (a service's first event) are picked up within seconds.
        properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        return properties;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Instant time(String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void sleep() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
