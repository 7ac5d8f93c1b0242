package dev.weft.connections.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import no.nav.security.mock.oauth2.MockOAuth2Server;

import java.util.HashMap;
import java.util.Map;

/**
 * The outside world of connections-service's tests, started once per JVM: a real OAuth 2.0
 * authorization server (mock-oauth2-server) for the authorization-code flow, token refresh and
 * revocation, and a WireMock server standing in for vendor APIs. The service is configured to use
 * them exactly as an operator would point it at real providers.
 */
public class ConnectionsStubs implements QuarkusTestResourceLifecycleManager {
    public static final String OAUTH_CLIENT_ID = "weft-test-client";
    public static final String OAUTH_CLIENT_SECRET = "weft-test-secret";
    public static final String INTERNAL_TOKEN = "connections-test-internal-token";

    private static MockOAuth2Server oauth;
    private static WireMockServer vendors;

    public static synchronized MockOAuth2Server oauth() {
        if (oauth == null) {
            oauth = new MockOAuth2Server();
            oauth.start();
        }
        return oauth;
    }

    public static synchronized WireMockServer vendors() {
        if (vendors == null) {
            vendors = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            vendors.start();
        }
        return vendors;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        String issuer = "google";
        config.put("weft.connections.providers.google.client-id", OAUTH_CLIENT_ID);
        config.put("weft.connections.providers.google.client-secret", OAUTH_CLIENT_SECRET);
        config.put("weft.connections.providers.google.authorize-url", oauth().authorizationEndpointUrl(issuer).toString());
        // Token and revocation calls pass through WireMock to the real server: the journal counts them, and a test can
        // script an answer the server would not give on its own (a revoked grant, a refresh without a new refresh token).
        vendors().stubFor(WireMock.any(WireMock.urlPathMatching("/" + issuer + "/(token|revoke)")).atPriority(10)
                .willReturn(WireMock.aResponse().proxiedFrom(oauth().baseUrl().toString().replaceAll("/$", ""))));
        config.put("weft.connections.providers.google.token-url", vendors().baseUrl() + "/" + issuer + "/token");
        config.put("weft.connections.providers.google.revoke-url", vendors().baseUrl() + "/" + issuer + "/revoke");
        config.put("weft.connections.providers.google.base-url", vendors().baseUrl());
        config.put("weft.connections.providers.hubspot.base-url", vendors().baseUrl());
        config.put("weft.connections.providers.slack.base-url", vendors().baseUrl() + "/slack/api");
        config.put("weft.connections.oauth.callback-base-url", "https://weft.test");
        // What sync-service presents on /internal/ endpoints (InternalEndpointsTest).
        config.put("weft.platform.internal-token", INTERNAL_TOKEN);
        config.putAll(SalesforceFixture.settings());
        config.putAll(dev.weft.connections.connector.snowflake.SnowflakeFixture.settings());
        return config;
    }

    @Override
    public void stop() {
        // Shared for the JVM; the servers die with it.
    }
}
