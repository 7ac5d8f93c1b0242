package dev.weft.platform.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * The JSON mapper request bodies are read with: the service's own mapper (naming, unknown fields refused, modules), with
 * numbers and booleans taken only as JSON numbers and booleans. Jackson alone would take {@code "true"} and {@code 1}
 * for {@code true}, {@code "5"} for 5 and truncate {@code 4.7} to 4; here each is a 400 naming the field, so a client's
 * typo is not stored as something it did not mean. A fraction where any value is taken (a record's field, metadata) is
 * read as an exact decimal, not a double: {@code 123456789012345678.9012} and {@code 2.50} are stored as sent, where a
 * double would keep 15–17 digits and drop the scale. Strings stay lenient (a number is taken as its text), as a seed's
 * {@code "entityId": 42} is sent. Only the HTTP layer uses this copy: events, stored JSON and vendors' answers are read
 * with the service's mapper as before.
 */
@Provider
public class StrictRequestJson implements ContextResolver<ObjectMapper> {
    private final ObjectMapper strict;

    public StrictRequestJson(ObjectMapper mapper) {
        strict = mapper.copy();
        strict.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        strict.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        strict.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Float)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return strict;
    }
}
