package dev.weft.messaging;

import dev.weft.platform.error.ApiException;

import java.util.List;
import java.util.Locale;

/** The channels a contact is reached on (the catalog's channel enum). */
public final class Channels {
    public static final List<String> ALL = List.of("whatsapp", "instagram", "facebook", "telegram", "email");

    private Channels() {
    }

    /** The channel named {@code value} (case-insensitive), or a 400 naming {@code field}. */
    public static String require(String value, String field) {
        String channel = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (!ALL.contains(channel)) {
            throw ApiException.invalid(field, "one_of", field + " must be one of " + String.join(", ", ALL));
        }
        return channel;
    }
}
