package dev.weft.connections.connector.snowflake;

import java.util.HashMap;
import java.util.Map;

/** The Snowflake account the service tests talk to: one stub per JVM, its URL and key in the snowflake provider's settings. */
public final class SnowflakeFixture {
    public static final String KEY_ID = "sf_key";
    private static SnowflakeStub stub;

    private SnowflakeFixture() {
    }

    public static synchronized SnowflakeStub stub() {
        if (stub == null) {
            stub = SnowflakeStub.start();
        }
        return stub;
    }

    /** The operator settings that point the snowflake provider at the stub, prefixed for configuration. */
    public static Map<String, String> settings() {
        Map<String, String> config = new HashMap<>();
        stub().settings(KEY_ID).forEach((key, value) -> config.put("weft.connections.providers.snowflake." + key, value));
        return config;
    }
}
