package dev.weft.connections.connector.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.connector.ConnectorException;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Salesforce's two error shapes: OAuth's {@code {"error","error_description"}} and the REST API's {@code [{"message","errorCode"}]}. */
final class SalesforceErrors {
    static final ObjectMapper JSON = new ObjectMapper();

    private SalesforceErrors() {
    }

    static String message(HttpResponse<String> response) {
        JsonNode body = json(response.body());
        if (body.isObject() && body.has("error")) {
            String description = body.path("error_description").asText("");
            return body.path("error").asText() + (description.isBlank() ? "" : ": " + description);
        }
        if (body.isArray()) {
            List<String> messages = new ArrayList<>();
            body.forEach(error -> messages.add(describe(error)));
            return String.join("; ", messages);
        }
        return null;
    }

    /** {@code INVALID_FIELD: No such column 'Foo' on entity 'Account'}. */
    static String describe(JsonNode error) {
        String code = error.has("errorCode") ? error.path("errorCode").asText() : error.path("statusCode").asText("");
        String message = error.path("message").asText("");
        return code.isBlank() ? message : code + ": " + message;
    }

    static JsonNode json(String body) {
        try {
            return body == null || body.isBlank() ? JSON.missingNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ConnectorException.upstream("salesforce answered with a body that is not JSON", e);
        }
    }
}
