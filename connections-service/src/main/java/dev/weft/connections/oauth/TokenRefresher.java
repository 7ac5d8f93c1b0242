package dev.weft.connections.oauth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connection.ConnectionStatusRecorder;
import dev.weft.connections.connection.TokenExpiry;
import dev.weft.connections.connection.TokenRefresh;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.ProviderCatalog;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Keeps OAuth access tokens fresh. A refresh holds the connection's row lock ({@code SELECT ... FOR
 * UPDATE}) for its duration and re-reads the token after taking it: however many requests, on
 * however many replicas, find the token expired at the same moment, the provider sees one refresh
 * and the rest use its result. A provider that sends no new refresh token leaves the old one in
 * place; one that refuses the grant marks the connection {@code auth_expired}.
 *
 * <p>Ahead of expiry, each round claims the tokens due a refresh through {@link DueWork}, leasing
 * each for {@code weft.connections.oauth.refresh-lease} ({@code refresh_leased_until}): one replica
 * attempts each due refresh per lease, and a refresh that failed, or whose replica was killed, is
 * tried again when the lease ends.
 */
@ApplicationScoped
public class TokenRefresher implements TokenRefresh {
    /** Connections that hold a refresh token whose access token expires before the horizon (the parameter). */
    private static final DueWork.Claim DUE_REFRESHES = new DueWork.Claim("connections", """
            c.token_expires_at < ? AND c.status <> 'auth_expired'
            AND ',' || c.credential_fields || ',' LIKE '%,refresh_token,%'
            AND (c.refresh_leased_until IS NULL OR c.refresh_leased_until <= now())""",
            "c.token_expires_at", "refresh_leased_until", "SELECT id, org_id FROM claimed");
    private static final int REFRESHES_PER_ROUND = 100;

    private final ConnectionService connections;
    private final OAuthClient oauth;
    private final ConnectionStatusRecorder statuses;
    private final DueWork dueWork;
    private final ConnectionsConfig config;
    private final ProviderCatalog catalog;

    public TokenRefresher(ConnectionService connections, OAuthClient oauth, ConnectionStatusRecorder statuses, DueWork dueWork,
                          ConnectionsConfig config, ProviderCatalog catalog) {
        this.catalog = catalog;
        this.connections = connections;
        this.oauth = oauth;
        this.statuses = statuses;
        this.dueWork = dueWork;
        this.config = config;
    }

    private record Outcome(ObjectNode credentials, ConnectorException failure) {
    }

    @Override
    public ObjectNode refresh(UUID connectionId, String staleToken) {
        Outcome outcome = QuarkusTransaction.requiringNew().call(() -> refreshLocked(connectionId, staleToken));
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.credentials();
    }

    /** {@code POST /v1/connections/{id}/refresh}: refresh now, whatever the expiry. */
    public void refreshNow(String id) {
        Connection connection = connections.require(id);
        ObjectNode credentials = connections.openCredentials(connection);
        if (!credentials.hasNonNull("refresh_token")) {
            // The request is well formed; the connection's state refuses it (seed 002's manual refresh of a non-OAuth connection).
            throw new ApiException(ErrorCode.CONFLICT, "The connection has no OAuth refresh token to refresh",
                    java.util.Map.of("field", "id", "constraint", "refreshable"));
        }
        refresh(connection.id, credentials.path("access_token").asText(""));
    }

    private Outcome refreshLocked(UUID connectionId, String staleToken) {
        Connection connection = Connection.<Connection>find("id", connectionId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (connection == null) {
            return new Outcome(null, ConnectorException.auth("the connection no longer exists"));
        }
        ObjectNode credentials = connections.openCredentials(connection);
        String current = credentials.path("access_token").asText(null);
        boolean rejected = staleToken != null && Objects.equals(staleToken, current);
        if (!rejected && current != null && !TokenExpiry.expiresSoon(credentials)) {
            return new Outcome(credentials, null);
        }
        String refreshToken = credentials.path("refresh_token").asText(null);
        if (refreshToken == null) {
            return new Outcome(null, ConnectorException.auth("the access token expired and the connection has no refresh token"));
        }
        try {
            OAuthClient.Tokens tokens = oauth.refresh(connection.provider, refreshToken);
            oauth.apply(credentials, tokens, catalog.declaredCredentialFields(connection.provider, connection.authType));
            connections.storeCredentials(connection, credentials);
            connection.tokenExpiresAt = tokens.expiresAt().orElse(null);
            statuses.recordRefreshed(connection);
            Log.infof("event=oauth_token_refreshed org_id=%s connection_id=%s provider=%s new_refresh_token=%s expires_at=%s",
                    connection.orgId, connection.connectionId(), connection.provider, tokens.refreshToken().isPresent(), connection.tokenExpiresAt);
            return new Outcome(credentials, null);
        } catch (ConnectorException e) {
            Log.warnf("event=oauth_token_refresh_failed org_id=%s connection_id=%s provider=%s grant_expired=%s message=\"%s\"",
                    connection.orgId, connection.connectionId(), connection.provider, e.isGrantExpired(), e.getMessage());
            if (e.isGrantExpired()) {
                statuses.recordAuthExpired(connection, e.getMessage());
            }
            return new Outcome(null, e);
        }
    }

    /** Refreshes tokens before they expire, so that no request has to wait for a refresh. */
    @Scheduled(every = "${weft.connections.oauth.refresh-interval:60s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshExpiring() {
        Instant horizon = Instant.now().plus(config.oauth().refreshAhead());
        List<Due> due;
        try {
            due = dueWork.claim(DUE_REFRESHES, (statement, first) -> {
                statement.setTimestamp(first, Timestamp.from(horizon));
                return first + 1;
            }, config.oauth().refreshLease(), REFRESHES_PER_ROUND, row -> new Due(row.getObject("id", UUID.class), row.getString("org_id")));
        } catch (IllegalStateException e) {
            Log.warnf("event=proactive_refresh_claim_failed message=\"%s\"", e.getMessage());
            return;
        }
        dueWork.forEach("token_refresh", due, Due::orgId, connection -> {
            try {
                refreshIfDue(connection.id(), horizon);
            } catch (ConnectorException e) {
                // Already recorded on the connection (auth_expired) or transient: the lease brings it back.
                Log.debugf("event=proactive_refresh_skipped connection_id=%s reason=\"%s\"", connection.id(), e.getMessage());
            }
        });
    }

    private record Due(UUID id, String orgId) {
    }

    private void refreshIfDue(UUID id, Instant horizon) {
        ObjectNode credentials = QuarkusTransaction.requiringNew().call(() -> {
            Connection connection = Connection.findById(id);
            return connection == null || connection.tokenExpiresAt == null || connection.tokenExpiresAt.isAfter(horizon)
                    ? null : connections.openCredentials(connection);
        });
        if (credentials != null) {
            refresh(id, credentials.path("access_token").asText(null));
        }
    }
}
