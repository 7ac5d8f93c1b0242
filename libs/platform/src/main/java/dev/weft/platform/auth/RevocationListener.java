package dev.weft.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.events.IncomingEvent;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Every replica of every service learns of revocations from {@code credential.revoked} on
 * weft.auth.events (channel {@value #CHANNEL}: a consumer group of this replica's own, so each
 * replica sees every event, committing nothing). On each partition assignment it starts from
 * {@code weft.platform.auth.revocation-replay} ago, the longest an access token lives, so a
 * replica that just started rebuilds its deny-list from the revocations still in force. An API
 * key or signing key leaves the {@link CredentialCache}; an access token, a refresh-token family or
 * a deleted client's tokens go into {@link RevokedTokens}. A record that cannot be read empties the
 * cache (the safe side) and is passed over.
 */
@ApplicationScoped
public class RevocationListener implements KafkaConsumerRebalanceListener {
    public static final String CHANNEL = "weft-revocations";
    public static final String REVOKED = "credential.revoked";
    public static final String ACCESS_TOKEN = "access_token";
    public static final String REFRESH_TOKEN_FAMILY = "refresh_token_family";
    public static final String OAUTH_CLIENT = "oauth_client";

    private final CredentialCache cache;
    private final RevokedTokens revoked;
    private final ObjectMapper json;
    private final java.time.Duration replay;
    private volatile boolean assigned;

    public RevocationListener(CredentialCache cache, RevokedTokens revoked, ObjectMapper json, PlatformConfig config) {
        this.cache = cache;
        this.revoked = revoked;
        this.json = json;
        this.replay = config.auth().revocationReplay();
    }

    /** The connector finds the rebalance listener of the channel by this identifier. */
    @Produces
    @Identifier(CHANNEL)
    KafkaConsumerRebalanceListener replayOnAssignment() {
        return this;
    }

    /** Whether partitions are assigned, i.e. revocations published from now on will be seen (tests wait for it). */
    public boolean listening() {
        return assigned;
    }

    @Incoming(CHANNEL)
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        IncomingEvent event;
        try {
            event = IncomingEvent.decode(record);
        } catch (IncomingEvent.UndecodableEvent e) {
            cache.clear();
            Log.warnf("event=revocation_event_unreadable position=%s/%d@%d action=cache_cleared", record.topic(), record.partition(), record.offset());
            return;
        }
        if (REVOKED.equals(event.type())) {
            revoked(event);
        }
    }

    void revoked(IncomingEvent event) {
        try {
            JsonNode data = json.readTree(event.data());
            apply(data.path("credential_type").asText(null), data.path("credential_id").asText(null),
                    event.time() == null ? Instant.now() : event.time(), instant(data.path("expires_at").asText(null)),
                    data.path("reason").asText(null));
        } catch (java.io.IOException | RuntimeException e) {
            cache.clear();
            Log.warnf("event=revocation_event_unreadable event_id=%s action=cache_cleared", event.id());
        }
    }

    /**
     * Applies one revocation to this replica: what a credential.revoked event says, or what auth-service just committed
     * itself (so it refuses at once, before its own event comes back).
     *
     * @param expiresAt when the revoked access token expires (access tokens only; else the replay window bounds the entry)
     */
    public void apply(String credentialType, String credentialId, Instant revokedAt, Instant expiresAt, String reason) {
        Instant until = revokedAt.plus(replay);
        switch (credentialType == null ? "" : credentialType) {
            case ACCESS_TOKEN -> revoked.token(credentialId, expiresAt == null ? until : expiresAt);
            case REFRESH_TOKEN_FAMILY -> revoked.family(credentialId, until);
            case OAUTH_CLIENT -> {
                // A rotated secret stops new token requests; tokens already issued stay valid, as with every OAuth server.
                if ("deleted".equals(reason)) {
                    revoked.client(credentialId, revokedAt, until);
                }
            }
            default -> cache.revoked(credentialType, credentialId);
        }
        Log.debugf("event=credential_revocation_applied credential_type=%s credential_id=%s", credentialType, credentialId);
    }

    private static Instant instant(String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // Events may have been missed while unassigned: forget cached answers, and re-read what is still in force.
        cache.clear();
        if (!partitions.isEmpty()) {
            long since = Instant.now().minus(replay).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp found = offsets.get(partition);
                consumer.seek(partition, found != null ? found.offset() : ends.getOrDefault(partition, 0L));
            }
        }
        assigned = !partitions.isEmpty();
        Log.infof("event=revocation_listener_assigned partitions=%d replay=%s", partitions.size(), replay);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned = false;
    }
}
