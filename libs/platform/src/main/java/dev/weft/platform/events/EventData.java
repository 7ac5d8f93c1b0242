package dev.weft.platform.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/**
 * How a consumer reads an event's data ({@link IncomingEvent#data()}) when it hands values on: with every number as
 * written. Events carry a record's numerics as exact JSON numbers (docs/changes.md); Jackson's default reads a
 * fraction as a double, which keeps 15–17 significant digits and drops a decimal's scale ({@code 2.50} became
 * {@code 2.5}, {@code 123456789012345678.9012} became {@code 1.2345678901234568E17}) in a webhook's payload or at a
 * sync's destination. Here a fraction is a {@link java.math.BigDecimal}, its trailing zeros kept.
 */
public final class EventData {
    private EventData() {
    }

    /** {@code json}'s configuration, reading fractions as exact decimals (trees and untyped values alike). */
    public static ObjectReader exactReader(ObjectMapper json) {
        return json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    }
}
