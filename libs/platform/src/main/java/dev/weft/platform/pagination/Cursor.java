package dev.weft.platform.pagination;

import java.time.Instant;
import java.util.UUID;

/** A keyset position: the {@code (created_at, id)} of the last row a page returned. */
public record Cursor(Instant createdAt, UUID id) {
}
