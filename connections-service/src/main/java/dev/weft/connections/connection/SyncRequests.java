package dev.weft.connections.connection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Seed 002's manual sync ({@code POST /v1/integrations/connections/{id}/sync}). connections-service records the
 * request and announces it as {@code connection.sync_requested} through the outbox (in the same transaction);
 * messaging-service, which owns mail and calendars, consumes it and runs the sync. Which providers carry what is
 * known here, so a request no consumer could act on is refused up front rather than dropped silently.
 */
@ApplicationScoped
public class SyncRequests {
    public static final String EVENT_TYPE = "connection.sync_requested";
    /** Providers with a mailbox messaging-service syncs ({@code imap}: IMAP/SMTP connections). */
    static final Set<String> MAIL = Set.of("google", "microsoft", "imap");
    /** Providers with a calendar messaging-service syncs. */
    static final Set<String> CALENDAR = Set.of("google", "microsoft");
    static final Set<String> TYPES = Set.of("email", "calendar", "all");

    private final ConnectionService connections;
    private final Outbox outbox;

    public SyncRequests(ConnectionService connections, Outbox outbox) {
        this.connections = connections;
        this.outbox = outbox;
    }

    /** The 202 body, and the last request in a connection's status. */
    public record SyncRequestView(String id, String connectionId, String provider, String type, String status, Instant requestedAt) {
        static SyncRequestView of(SyncRequest request, Connection connection) {
            return new SyncRequestView(request.requestId(), connection.connectionId(), request.provider, request.type, "requested", request.createdAt);
        }

        /** The connection's latest sync request, or null (the connection is the caller's, already checked). */
        static SyncRequestView latest(Connection connection) {
            SyncRequest latest = SyncRequest.<SyncRequest>find("connectionId = ?1 order by createdAt desc, id desc", connection.id).firstResult();
            return latest == null ? null : of(latest, connection);
        }
    }

    /** The event's data (event-types.json, connection.sync_requested). */
    public record SyncRequested(String id, String orgId, String connectionId, String provider, String type, Instant requestedAt) {
    }

    @Transactional
    public SyncRequestView request(String connectionId, JsonNode body, RequestPrincipal principal) {
        String type = type(body);
        Connection connection = connections.require(connectionId);
        boolean mail = MAIL.contains(connection.provider);
        boolean calendar = CALENDAR.contains(connection.provider);
        if (type.equals("email") && !mail || type.equals("calendar") && !calendar || type.equals("all") && !mail && !calendar) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "A " + connection.provider + " connection has no "
                    + (type.equals("all") ? "mail or calendar" : type.equals("email") ? "mail" : "calendar") + " to sync",
                    Map.of("field", "type", "constraint", "provider", "provider", connection.provider));
        }
        SyncRequest request = new SyncRequest();
        request.connectionId = connection.id;
        request.provider = connection.provider;
        request.type = type;
        request.requestedBy = principal == null ? null : principal.credentialId();
        request.persist();
        outbox.publish(DomainEvent.of(Topics.CONNECTIONS, EVENT_TYPE, connection.connectionId(), new SyncRequested(request.requestId(),
                connection.orgId, connection.connectionId(), connection.provider, type, request.createdAt)));
        Log.infof("event=connection_sync_requested org_id=%s connection_id=%s provider=%s type=%s request_id=%s",
                connection.orgId, connection.connectionId(), connection.provider, type, request.requestId());
        return SyncRequestView.of(request, connection);
    }

    /** {@code {"type": "email"|"calendar"|"all"}}; no body or no type is {@code all}. */
    private static String type(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return "all";
        }
        if (!body.isObject()) {
            throw ApiException.invalid("body", "type", "the body must be a JSON object such as {\"type\":\"email\"}");
        }
        JsonNode type = body.get("type");
        if (type == null || type.isNull()) {
            return "all";
        }
        if (!type.isTextual() || !TYPES.contains(type.textValue())) {
            throw ApiException.invalid("type", "enum", "type must be one of email, calendar, all");
        }
        return type.textValue();
    }
}
