package dev.weft.connections.connector.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.weft.connections.connector.ConnectorException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A position in a table, as an opaque base64url JSON string: after primary key values
 * ({@code k}), after a cursor-field value and key ({@code c}, {@code k}), among rows whose cursor
 * field is still null ({@code n}), or a plain row offset ({@code o}) for tables without a key.
 */
public record JdbcCursor(Phase phase, Object cursorValue, List<Object> key, long offset) {

    public enum Phase {
        /** Keyset on the primary key (queries; reads without a cursor field). */
        KEY,
        /** Incremental read among rows whose cursor field is null, by key. */
        NULLS,
        /** Incremental read after (cursor value, key); {@code cursorValue} null means from the first non-null value. */
        VALUES,
        /** Row offset, for tables without a primary key. */
        OFFSET
    }

    public static JdbcCursor start(Phase phase) {
        return new JdbcCursor(phase, null, null, 0);
    }

    /** This cursor as a read by key takes it: after a key of {@code keySize} values; anything else is invalid. */
    public JdbcCursor forKey(int keySize) {
        if (phase != Phase.KEY || key == null || key.size() != keySize) {
            throw invalid();
        }
        return this;
    }

    /**
     * This cursor as a read by cursor field and key takes it: among the rows whose cursor field is null (after a key), or
     * after a cursor value and its key, keys of {@code keySize} values; anything else is invalid.
     */
    public JdbcCursor forCursorFieldAndKey(int keySize) {
        if ((phase != Phase.NULLS && phase != Phase.VALUES) || (key != null && key.size() != keySize)
                || (phase == Phase.VALUES && (cursorValue == null) != (key == null))) {
            throw invalid();
        }
        return this;
    }

    /** This cursor as a read by cursor field alone (no key) takes it: after a cursor value; anything else is invalid. */
    public JdbcCursor forCursorFieldAlone() {
        if (phase != Phase.VALUES) {
            throw invalid();
        }
        return this;
    }

    /** This cursor as a read by offset (no key, no cursor field) takes it; anything else is invalid. */
    public JdbcCursor forOffset() {
        if (phase != Phase.OFFSET) {
            throw invalid();
        }
        return this;
    }

    public String encode() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("p", switch (phase) {
            case KEY -> "k";
            case NULLS -> "n";
            case VALUES -> "c";
            case OFFSET -> "o";
        });
        if (cursorValue != null) {
            json.put("c", cursorValue);
        }
        if (key != null) {
            json.put("k", key);
        }
        if (phase == Phase.OFFSET) {
            json.put("o", offset);
        }
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JdbcValues.JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null stays null; anything this class did not write is an invalid cursor. */
    public static JdbcCursor decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            // one pass into plain values (readTree and a conversion per value cost as much as a page's rows)
            Object parsed = JdbcValues.JSON.readValue(Base64.getUrlDecoder().decode(cursor), Object.class);
            if (!(parsed instanceof Map<?, ?> json)) {
                throw invalid();
            }
            Phase phase = switch (String.valueOf(json.get("p"))) {
                case "k" -> Phase.KEY;
                case "n" -> Phase.NULLS;
                case "c" -> Phase.VALUES;
                case "o" -> Phase.OFFSET;
                default -> throw invalid();
            };
            List<Object> key = null;
            if (json.containsKey("k")) {
                if (!(json.get("k") instanceof List<?> values)) {
                    throw invalid();
                }
                key = new ArrayList<>(values);
            }
            Object cursorValue = json.get("c");
            long offset = json.get("o") instanceof Number number ? number.longValue() : 0;
            if (offset < 0) {
                throw invalid();
            }
            return new JdbcCursor(phase, cursorValue, key, offset);
        } catch (IllegalArgumentException | IOException e) {
            throw invalid();
        }
    }

    public static ConnectorException invalid() {
        return ConnectorException.invalid("cursor", "format", "cursor was not issued for this object");
    }
}
