package dev.weft.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * On the first run, asks auth-service (as the bootstrap operator) for a first organization and an
 * admin OAuth client, so a newcomer can call the API at once; later runs reuse what was created
 * (kept in .weft/credentials.env, mode 600). Goes through the public API like any client would.
 */
final class FirstCredentials {
    static final String ORG = "WEFT_ORG_ID";
    static final String CLIENT_ID = "WEFT_CLIENT_ID";
    static final String CLIENT_SECRET = "WEFT_CLIENT_SECRET";
    /** The local stack is a developer's own: give it the roomiest plan. */
    private static final String PLAN = "enterprise";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String authUrl;
    private final String operatorToken;

    FirstCredentials(String authUrl, String operatorToken) {
        this.authUrl = authUrl;
        this.operatorToken = operatorToken;
    }

    Map<String, String> create() {
        JsonObject org = post("/v1/orgs", new JsonObject().put("name", "My organization").put("plan", PLAN));
        String orgId = org.getString("id");
        JsonObject client = post("/v1/orgs/" + orgId + "/clients",
                new JsonObject().put("name", "admin (created by bin/weft)").put("scopes", new JsonArray().add("admin")));
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put(ORG, orgId);
        credentials.put(CLIENT_ID, client.getString("client_id"));
        credentials.put(CLIENT_SECRET, client.getString("client_secret"));
        return credentials;
    }

    private JsonObject post(String path, JsonObject body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(authUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + operatorToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new LaunchException("auth-service refused to create the first credentials (POST " + path + " answered "
                        + response.statusCode() + ": " + response.body() + "); see .weft/logs/auth.log");
            }
            return new JsonObject(response.body());
        } catch (IOException e) {
            throw new LaunchException("could not reach auth-service at " + authUrl + " to create the first credentials: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while creating the first credentials");
        }
    }
}
