package dev.weft.connections.support;

import dev.weft.connections.connector.salesforce.SalesforceStub;

import java.util.HashMap;
import java.util.Map;

/** One Salesforce org stub for the service's tests; {@code key_abc123} is the seed example's private key id. */
public final class SalesforceFixture {
    public static final String SEED_KEY_ID = "key_abc123";
    private static SalesforceStub stub;

    private SalesforceFixture() {
    }

    public static synchronized SalesforceStub stub() {
        if (stub == null) {
            stub = SalesforceStub.start();
        }
        return stub;
    }

    /** The operator settings that point the salesforce provider at the stub, prefixed for configuration. */
    static Map<String, String> settings() {
        Map<String, String> config = new HashMap<>();
        stub().settings(SEED_KEY_ID).forEach((key, value) -> config.put("weft.connections.providers.salesforce." + key, value));
        return config;
    }
}
