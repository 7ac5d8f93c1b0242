package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;

/** Small readers the adapters share. */
final class Channels {
    private Channels() {
    }

    /** {@code metadata.connection_id}: which of the org's connections of the channel a send goes out on (default: the oldest). */
    static String connectionId(JsonNode metadata) {
        return text(metadata, "connection_id");
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
    }

    /** The Graph API's {@code error.code} (e.g. 131047 re-engagement, 100 invalid parameter). */
    static String graphErrorCode(JsonNode body) {
        JsonNode code = body.path("error").path("code");
        return code.isMissingNode() || code.isNull() ? null : code.asText();
    }

    static String graphErrorMessage(JsonNode body) {
        JsonNode message = body.path("error").path("message");
        return message.isTextual() ? message.asText() : null;
    }

    /** No usable connection: a 4xx (none connected) fails the message; anything else is retried. */
    static dev.weft.messaging.message.ChannelSender.SendOutcome noAccount(dev.weft.platform.error.ApiException e) {
        return e.code().status() < 500 ? dev.weft.messaging.message.ChannelSender.SendOutcome.failed("no_connection", e.getMessage())
                : dev.weft.messaging.message.ChannelSender.SendOutcome.retry("connections_unavailable", e.getMessage());
    }
}
