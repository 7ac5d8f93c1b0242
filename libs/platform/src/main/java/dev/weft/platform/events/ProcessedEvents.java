package dev.weft.platform.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Makes Kafka handlers idempotent: a handler first claims the event's {@code ce_id} for its
 * consumer name in its own transaction; a redelivery finds it claimed and does nothing, and a
 * handler that fails rolls the claim back with its work.
 */
@ApplicationScoped
public class ProcessedEvents {
    private final DataSource dataSource;

    public ProcessedEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @return true the first time {@code consumer} sees {@code eventId}; false for a redelivery. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean claim(String consumer, String eventId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO processed_events (consumer, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, consumer);
            insert.setString(2, eventId);
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not record processed event " + eventId, e);
        }
    }

    /**
     * {@link #claim} for many events in one statement, for a {@link BatchEventHandler} that applies a batch in one
     * transaction: returns those of {@code eventIds} that {@code consumer} sees for the first time.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public java.util.Set<String> claimAll(String consumer, java.util.Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            return java.util.Set.of();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO processed_events (consumer, event_id)"
                     + " SELECT ?, id FROM unnest(?::text[]) AS ids(id) ON CONFLICT DO NOTHING RETURNING event_id")) {
            insert.setString(1, consumer);
            insert.setArray(2, connection.createArrayOf("text", new java.util.LinkedHashSet<>(eventIds).toArray()));
            java.util.Set<String> claimed = new java.util.HashSet<>();
            try (java.sql.ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    claimed.add(rows.getString(1));
                }
            }
            return claimed;
        } catch (SQLException e) {
            throw new IllegalStateException("could not record " + eventIds.size() + " processed events", e);
        }
    }
}
