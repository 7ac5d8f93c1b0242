package dev.weft.messaging.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.weft.platform.id.TypeId;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * One WireMock server standing in for the providers (Graph API under /graph, Telegram under /telegram) and for
 * connections-service's internal channel-connections endpoint, which answers an org's connection only when the
 * call carries the internal credential and names that org.
 */
public class ChannelStubs implements QuarkusTestResourceLifecycleManager {
    public static final String TOKEN = "messaging-test-internal-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer server;

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("weft.services.connections.url", server().baseUrl());
        config.put("weft.platform.internal-token", TOKEN);
        config.put("weft.messaging.whatsapp.base-url", server().baseUrl() + "/graph");
        config.put("weft.messaging.facebook.base-url", server().baseUrl() + "/graph");
        config.put("weft.messaging.instagram.base-url", server().baseUrl() + "/graph");
        config.put("weft.messaging.telegram.base-url", server().baseUrl() + "/telegram");
        config.put("weft.messaging.email.gmail-base-url", server().baseUrl() + "/gmail-api");
        config.put("weft.messaging.email.graph-base-url", server().baseUrl() + "/graph-api/v1.0");
        config.put("weft.messaging.retry.interval", "1s");
        config.put("weft.messaging.retry.base-delay", "1s");
        config.put("weft.messaging.send-timeout", "3s");
        return config;
    }

    @Override
    public void stop() {
        // One server for the JVM.
    }

    /** A channel connection of {@code org} in the stubbed connections-service; returns its id. */
    public static String connection(String org, String provider, Map<String, Object> config, Map<String, Object> credentials) {
        String id = TypeId.generate("conn");
        Map<String, Object> view = Map.of("connection_id", id, "provider", provider, "name", provider + " account", "config", config,
                "credentials", credentials);
        try {
            server().stubFor(get(urlPathEqualTo("/internal/v1/channel-connections/" + id))
                    .withHeader("Authorization", equalTo("Weft-Internal " + TOKEN)).withHeader("X-Weft-Org", equalTo(org))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(view))));
            server().stubFor(get(urlPathEqualTo("/internal/v1/channel-connections")).withQueryParam("provider", equalTo(provider))
                    .withHeader("Authorization", equalTo("Weft-Internal " + TOKEN)).withHeader("X-Weft-Org", equalTo(org))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody(JSON.writeValueAsString(Map.of("data", List.of(view))))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** Another org, or none, gets connections-service's 404. */
    static {
        server().stubFor(WireMock.any(WireMock.urlPathMatching("/internal/v1/channel-connections.*")).atPriority(10)
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"connection not found\"}}")));
        server().stubFor(get(urlPathEqualTo("/internal/v1/channel-connections")).atPriority(9)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"data\":[]}")));
    }

    /** Meta's X-Hub-Signature-256 of a body. */
    public static String metaSignature(String appSecret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
