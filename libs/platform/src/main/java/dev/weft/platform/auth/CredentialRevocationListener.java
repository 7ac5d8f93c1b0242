package dev.weft.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.events.Topics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Clears {@link CredentialCache} entries when {@code credential.revoked} arrives on
 * weft.auth.events. Unlike a service's work consumers (one group per service), each replica joins
 * with a group id of its own, so every replica sees every revocation. It starts at the topic's end
 * and commits nothing: older revocations cannot be in a cache that did not exist yet. A Kafka
 * outage only delays invalidation (the cache's TTL still bounds staleness); the consumer
 * reconnects by itself, and the cache is emptied whenever partitions are (re)assigned in case
 * events were missed in between.
 */
@ApplicationScoped
public class CredentialRevocationListener {
    public static final String REVOKED = "credential.revoked";

    private final CredentialCache cache;
    private final ObjectMapper json;
    private final boolean enabled;
    private final String bootstrapServers;
    private final String groupId;
    private volatile boolean running;
    private volatile boolean assigned;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread worker;

    public CredentialRevocationListener(CredentialCache cache, ObjectMapper json, PlatformConfig config,
                                        @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.cache = cache;
        this.json = json;
        this.enabled = config.auth().revocationListenerEnabled();
        this.bootstrapServers = bootstrapServers;
        this.groupId = "weft-credential-cache-" + config.serviceName() + "-" + UUID.randomUUID();
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        worker = Thread.ofPlatform().name("weft-credential-revocations").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (worker != null) {
            try {
                worker.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether partitions are assigned, i.e. revocations published from now on will be seen (tests wait for it). */
    public boolean listening() {
        return assigned;
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(settings(), new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = kafka;
                kafka.subscribe(List.of(Topics.AUTH), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        assigned = false;
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        cache.clear();
                        assigned = !partitions.isEmpty();
                        Log.infof("event=revocation_listener_assigned group_id=%s partitions=%d", groupId, partitions.size());
                    }
                });
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(500))) {
                        handle(record);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                assigned = false;
                Log.warnf("event=revocation_listener_failed error=\"%s\" action=reconnect", e.getClass().getSimpleName());
                pause();
            } finally {
                consumer = null;
            }
        }
    }

    void handle(ConsumerRecord<String, byte[]> record) {
        if (!REVOKED.equals(header(record, "ce_type"))) {
            return;
        }
        try {
            JsonNode data = json.readTree(record.value());
            String type = data.path("credential_type").asText(null);
            String id = data.path("credential_id").asText(null);
            cache.revoked(type, id);
            Log.infof("event=credential_cache_invalidated credential_type=%s credential_id=%s", type, id);
        } catch (java.io.IOException | RuntimeException e) {
            // A malformed event must not stop the listener; be safe and forget everything instead.
            cache.clear();
            Log.warnf("event=revocation_event_unreadable key=%s action=cache_cleared", record.key());
        }
    }

    private Map<String, Object> settings() {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, groupId);
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
