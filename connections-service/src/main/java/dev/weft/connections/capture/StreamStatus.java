package dev.weft.connections.capture;

import jakarta.persistence.AttributeConverter;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where a stream stands. A running stream is starting, snapshotting or streaming; paused and failed ones run nowhere. */
public enum StreamStatus {
    STARTING, SNAPSHOTTING, STREAMING, PAUSED, FAILED;

    /** The running statuses as an SQL list, for statements that pick streams to run. */
    public static final String RUNNING_SQL = "('starting', 'snapshotting', 'streaming')";

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean running() {
        return this == STARTING || this == SNAPSHOTTING || this == STREAMING;
    }

    public static Optional<StreamStatus> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(value)).findFirst();
    }

    /** Stores the status by its wire name. */
    @jakarta.persistence.Converter
    public static class Converter implements AttributeConverter<StreamStatus, String> {
        @Override
        public String convertToDatabaseColumn(StreamStatus status) {
            return status == null ? null : status.wire();
        }

        @Override
        public StreamStatus convertToEntityAttribute(String value) {
            return value == null ? null : parse(value).orElseThrow(() -> new IllegalStateException("unknown stream status " + value));
        }
    }
}
