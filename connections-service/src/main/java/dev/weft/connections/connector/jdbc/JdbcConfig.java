package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Reads the host/port/database settings the SQL providers share, refusing anything that could bend a JDBC URL. */
public final class JdbcConfig {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._\\-]+|\\[[0-9A-Fa-f:.]+]|[0-9A-Fa-f:]+");

    private JdbcConfig() {
    }

    public static String host(ConnectorContext context) {
        String host = required(context, "host").trim();
        if (!HOST.matcher(host).matches()) {
            throw ConnectorException.invalid("config.host", "format", "config.host must be a host name or IP address");
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public static int port(ConnectorContext context, int fallback) {
        String text = context.configString("port").orElse(String.valueOf(fallback)).trim();
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ConnectorException.invalid("config.port", "range", "config.port must be a number from 1 to 65535");
    }

    /** The database name, escaped for the path of a JDBC URL. */
    public static String databasePath(ConnectorContext context) {
        return URLEncoder.encode(required(context, "database"), StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String required(ConnectorContext context, String name) {
        return context.configString(name).filter(s -> !s.isBlank())
                .orElseThrow(() -> ConnectorException.invalid("config." + name, "required", "config." + name + " is required"));
    }

    /** The username; a missing password is allowed (trust or socket authentication). */
    public static String username(ConnectorContext context) {
        return context.credentials().get("username").filter(s -> !s.isBlank())
                .orElseThrow(() -> ConnectorException.invalid("credentials.username", "required", "credentials.username is required"));
    }

    public static String password(ConnectorContext context) {
        return context.credentials().get("password").filter(s -> !s.isEmpty()).orElse(null);
    }
}
