package dev.weft.platform.pagination;

import dev.weft.platform.error.ApiException;

import java.util.Optional;

/** A list request's {@code ?limit=} (default 25, 1..100) and {@code ?cursor=}, checked. */
public record PageRequest(int limit, Optional<Cursor> after) {
    public static final int DEFAULT_LIMIT = 25;
    public static final int MAX_LIMIT = 100;

    /** Takes the raw query strings so that {@code ?limit=abc} is a 400 with a field, not a JAX-RS 404. */
    public static PageRequest of(String limit, String cursor, CursorCodec codec) {
        int parsedLimit = DEFAULT_LIMIT;
        if (limit != null && !limit.isBlank()) {
            try {
                parsedLimit = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                throw ApiException.invalid("limit", "integer", "limit must be an integer between 1 and " + MAX_LIMIT);
            }
            if (parsedLimit < 1 || parsedLimit > MAX_LIMIT) {
                throw ApiException.invalid("limit", "range", "limit must be between 1 and " + MAX_LIMIT);
            }
        }
        Optional<Cursor> after = cursor == null || cursor.isBlank() ? Optional.empty() : Optional.of(codec.decode(cursor.trim()));
        return new PageRequest(parsedLimit, after);
    }
}
