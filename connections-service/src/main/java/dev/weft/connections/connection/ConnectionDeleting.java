package dev.weft.connections.connection;

import java.util.UUID;

/**
 * Fired, in the deleting transaction, just before a connection is deleted: what hangs off it (change streams, with the
 * replication slots they hold in the customer's database) goes first, while its credentials still exist.
 */
public record ConnectionDeleting(UUID id, String connectionId) {
}
