package dev.weft.workflow.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * One WireMock server for what workflows call: connections-service's internal write endpoint and messaging-service's
 * internal email send (stubs there require the internal credential, {@code X-Weft-Caller: workflow-service} and the
 * org, as those services check them), and receivers of http actions and webhook notifications.
 */
public class Stubs implements QuarkusTestResourceLifecycleManager {
    public static final String TOKEN = "workflow-test-internal-token";
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
        return Map.of("weft.services.connections.url", server().baseUrl(), "weft.services.messaging.url", server().baseUrl(),
                "weft.platform.internal-token", TOKEN);
    }

    @Override
    public void stop() {
        // One server for the JVM.
    }
}
