package dev.weft.connections.connector;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** How {@link Connector#write} applies records: upsert and update match on the request's {@code key}. */
public enum WriteMode {
    INSERT, UPDATE, UPSERT, DELETE;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static WriteMode parse(String value) {
        return value == null ? null : WriteMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
