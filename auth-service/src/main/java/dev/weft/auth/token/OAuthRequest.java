package dev.weft.auth.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of an OAuth endpoint request, from either an {@code application/x-www-form-urlencoded}
 * body (RFC 6749) or the JSON object seed 000 shows, and the client's credentials, from HTTP Basic
 * ({@code client_secret_basic}) or the body ({@code client_secret_post}). Unknown parameters are
 * ignored, as RFC 6749 §3.2 requires; a repeated one is an error.
 */
public record OAuthRequest(Map<String, String> parameters, ClientCredentials client) {

    public record ClientCredentials(String clientId, String secret) {
    }

    public String get(String name) {
        String value = parameters.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public static OAuthRequest parse(String contentType, byte[] body, String authorization, ObjectMapper json) {
        Map<String, String> parameters = parameters(contentType, body == null ? new byte[0] : body, json);
        return new OAuthRequest(parameters, clientCredentials(authorization, parameters));
    }

    /**
     * For a caller authenticated otherwise (introspection with a bearer credential). A client secret in the
     * body as well would be a second authentication method, which RFC 6749 §2.3 forbids.
     */
    public static OAuthRequest parseWithoutClient(String contentType, byte[] body, ObjectMapper json) {
        Map<String, String> parameters = parameters(contentType, body == null ? new byte[0] : body, json);
        if (parameters.containsKey("client_secret")) {
            throw OAuthError.invalidRequest("Use one authentication method: a bearer credential or client authentication, not both");
        }
        return new OAuthRequest(parameters, null);
    }

    private static Map<String, String> parameters(String contentType, byte[] body, ObjectMapper json) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/x-www-form-urlencoded" -> form(new String(body, StandardCharsets.UTF_8));
            case "application/json" -> json(body, json);
            default -> throw OAuthError.invalidRequest("Content-Type must be application/x-www-form-urlencoded or application/json");
        };
    }

    private static Map<String, String> form(String body) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (parameters.put(name, value) != null) {
                throw OAuthError.invalidRequest("Parameter " + printable(name) + " is repeated");
            }
        }
        return parameters;
    }

    private static Map<String, String> json(byte[] body, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw OAuthError.invalidRequest("Request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw OAuthError.invalidRequest("Request body must be a JSON object");
        }
        Map<String, String> parameters = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            if (value.isTextual()) {
                parameters.put(field.getKey(), value.asText());
            } else if ("scope".equals(field.getKey()) && value.isArray()) {
                // A JSON client may naturally send scopes as a list.
                List<String> scopes = new ArrayList<>();
                for (JsonNode scope : value) {
                    if (!scope.isTextual()) {
                        throw OAuthError.invalidRequest("scope must be a string or a list of strings");
                    }
                    scopes.add(scope.asText());
                }
                parameters.put("scope", String.join(" ", scopes));
            } else {
                throw OAuthError.invalidRequest(printable(field.getKey()) + " must be a string");
            }
        }
        return parameters;
    }

    private static ClientCredentials clientCredentials(String authorization, Map<String, String> parameters) {
        if (authorization != null && !authorization.isBlank()) {
            ClientCredentials basic = basic(authorization.trim());
            if (parameters.containsKey("client_secret")) {
                throw OAuthError.invalidRequest("Use one client authentication method: HTTP Basic or client_secret in the body, not both");
            }
            String bodyId = parameters.get("client_id");
            if (bodyId != null && !bodyId.equals(basic.clientId())) {
                throw OAuthError.invalidRequest("client_id in the body does not match the HTTP Basic credentials");
            }
            return basic;
        }
        String clientId = parameters.get("client_id");
        String secret = parameters.get("client_secret");
        if (clientId == null || clientId.isEmpty() || secret == null || secret.isEmpty()) {
            throw OAuthError.invalidClient("Client authentication is required: client_id and client_secret, or HTTP Basic");
        }
        return new ClientCredentials(clientId, secret);
    }

    /** RFC 6749 §2.3.1: Basic with the form-urlencoded id and secret. */
    private static ClientCredentials basic(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw OAuthError.invalidClient("Client authentication must use the HTTP Basic scheme");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient("HTTP Basic credentials are not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw OAuthError.invalidClient("HTTP Basic credentials must be client_id:client_secret");
        }
        try {
            return new ClientCredentials(decode(decoded.substring(0, colon)), decode(decoded.substring(colon + 1)));
        } catch (OAuthError e) {
            throw OAuthError.invalidClient("HTTP Basic credentials are not valid form-encoded values");
        }
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidRequest("Request body is not valid form encoding");
        }
    }

    static String printable(String value) {
        String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
