package dev.weft.connections.connection;

import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * The connection events of the public catalog ({@code connection.created|updated|deleted|health_changed}),
 * written to the outbox in the caller's transaction. Payloads name the connection, never its credentials.
 */
@ApplicationScoped
public class ConnectionEvents {
    private final Outbox outbox;

    public ConnectionEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public record ConnectionData(String id, String orgId, String provider, String name, String status, Instant occurredAt) {
    }

    public record HealthChanged(String id, String orgId, String provider, String name, String status, String previousStatus,
                                String message, Instant checkedAt) {
    }

    public void created(Connection connection) {
        publish("connection.created", connection);
    }

    public void updated(Connection connection) {
        publish("connection.updated", connection);
    }

    /** Syncs and workflows using the connection stop when they see this. */
    public void deleted(Connection connection) {
        publish("connection.deleted", connection);
    }

    public void healthChanged(Connection connection, ConnectionStatus previous) {
        outbox.publish(DomainEvent.of(Topics.CONNECTIONS, "connection.health_changed", connection.connectionId(),
                new HealthChanged(connection.connectionId(), connection.orgId, connection.provider, connection.name, connection.status,
                        previous.json(), connection.statusMessage, connection.lastCheckedAt)));
    }

    private void publish(String type, Connection connection) {
        outbox.publish(DomainEvent.of(Topics.CONNECTIONS, type, connection.connectionId(),
                new ConnectionData(connection.connectionId(), connection.orgId, connection.provider, connection.name, connection.status, Instant.now())));
    }
}
