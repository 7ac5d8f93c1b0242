package dev.weft.connections.connector.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Driver;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where and as whom to connect: a JDBC URL, the driver class, driver properties and the
 * credentials. {@link #toString()} leaves the password out.
 */
public record JdbcTarget(String url, Class<? extends Driver> driver, Map<String, String> properties, String username, String password) {

    public JdbcTarget {
        properties = Map.copyOf(properties);
    }

    /** Driver properties including user and password, for a direct {@link Driver#connect}. */
    public Properties connectProperties() {
        Properties props = new Properties();
        props.putAll(properties);
        props.setProperty("user", username);
        if (password != null) {
            props.setProperty("password", password);
        }
        return props;
    }

    /** Changes whenever anything that shapes a pool changes, so a stale pool is replaced (the password only as a hash). */
    public String fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String text = url + '\n' + driver.getName() + '\n' + new TreeMap<>(properties) + '\n' + username + '\n' + password;
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "JdbcTarget[url=" + url + ", user=" + username + "]";
    }
}
