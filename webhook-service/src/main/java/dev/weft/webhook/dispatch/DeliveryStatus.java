package dev.weft.webhook.dispatch;

import jakarta.persistence.AttributeConverter;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Where a delivery stands: waiting for its first attempt, waiting for a retry, or finished either way. */
public enum DeliveryStatus {
    PENDING, RETRYING, SUCCEEDED, FAILED;

    /** The unfinished statuses as an SQL list, {@code ('pending', 'retrying')}, for statements that pick deliveries still to send. */
    public static final String OPEN_SQL = "('" + PENDING.wire() + "', '" + RETRYING.wire() + "')";

    /** As stored and as the API shows it. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }

    public static Optional<DeliveryStatus> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(value)).findFirst();
    }

    public static String allWire() {
        return Arrays.stream(values()).map(DeliveryStatus::wire).collect(Collectors.joining(", "));
    }

    /** Stores the status by its wire name. */
    @jakarta.persistence.Converter
    public static class Converter implements AttributeConverter<DeliveryStatus, String> {
        @Override
        public String convertToDatabaseColumn(DeliveryStatus status) {
            return status == null ? null : status.wire();
        }

        @Override
        public DeliveryStatus convertToEntityAttribute(String value) {
            return value == null ? null : parse(value).orElseThrow(() -> new IllegalStateException("unknown delivery status " + value));
        }
    }
}
