package dev.weft.connections.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connector.ConnectorException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a paged listing stands: the API's own page position ({@code null} for the first page; a
 * page number, an offset, the API's cursor token or the next page's URL) and how many records of
 * that page were already handed out.
 */
public record PageCursor(String position, int skip) {
    public static final PageCursor START = new PageCursor(null, 0);

    public String encode() {
        ObjectNode node = VendorJson.MAPPER.createObjectNode();
        node.put("p", position);
        node.put("s", skip);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Null means the start; anything this class did not encode is an invalid cursor. */
    public static PageCursor decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return START;
        }
        try {
            JsonNode node = VendorJson.MAPPER.readTree(Base64.getUrlDecoder().decode(cursor));
            JsonNode skip = node.path("s");
            if (!node.isObject() || !skip.canConvertToInt() || skip.asInt() < 0 || !(node.path("p").isTextual() || node.path("p").isNull())) {
                throw new IllegalArgumentException("not a page cursor");
            }
            return new PageCursor(node.path("p").isNull() ? null : node.path("p").asText(), skip.asInt());
        } catch (Exception e) {
            throw ConnectorException.invalid("cursor", "format", "cursor is not one this connector returned");
        }
    }
}
