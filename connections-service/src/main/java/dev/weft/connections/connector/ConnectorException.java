package dev.weft.connections.connector;

import java.util.Map;

/**
 * A connector's failure, classified for the caller: {@link Kind#INVALID} is the client's fault
 * (400, e.g. an unknown field), {@link Kind#AUTH} means the credentials were refused or expired,
 * {@link Kind#UPSTREAM} that the vendor answered with an error, {@link Kind#UNREACHABLE} that it
 * did not answer. The message is safe to show: the vendor's own words, never a credential.
 */
public class ConnectorException extends RuntimeException {
    public enum Kind { INVALID, AUTH, UPSTREAM, UNREACHABLE }

    private final Kind kind;
    private final int upstreamStatus;
    private final Map<String, Object> details;

    public ConnectorException(Kind kind, String message, int upstreamStatus, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.upstreamStatus = upstreamStatus;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public Kind kind() {
        return kind;
    }

    /** The vendor's HTTP status (or 0 when there was none, e.g. a JDBC error). */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** The request names something the system does not have or cannot do (400 with a field). */
    public static ConnectorException invalid(String field, String constraint, String message) {
        return new ConnectorException(Kind.INVALID, message, 0, Map.of("field", field, "constraint", constraint), null);
    }

    public static ConnectorException auth(String message) {
        return new ConnectorException(Kind.AUTH, message, 0, Map.of(), null);
    }

    public static ConnectorException auth(String message, int upstreamStatus) {
        return new ConnectorException(Kind.AUTH, message, upstreamStatus, Map.of(), null);
    }

    /** The OAuth grant itself is gone (refresh token revoked or expired): the user must authorize again. */
    public static ConnectorException grantExpired(String message, int upstreamStatus) {
        return new ConnectorException(Kind.AUTH, message, upstreamStatus, Map.of("grant_expired", true), null);
    }

    public boolean isGrantExpired() {
        return Boolean.TRUE.equals(details.get("grant_expired"));
    }

    public static ConnectorException upstream(String message, int upstreamStatus) {
        return new ConnectorException(Kind.UPSTREAM, message, upstreamStatus, Map.of(), null);
    }

    public static ConnectorException upstream(String message, Throwable cause) {
        return new ConnectorException(Kind.UPSTREAM, message, 0, Map.of(), cause);
    }

    public static ConnectorException unreachable(String message, Throwable cause) {
        return new ConnectorException(Kind.UNREACHABLE, message, 0, Map.of(), cause);
    }
}
