package dev.weft.connections.connection;

import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connector.CheckResult;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Records a connection's status, in the caller's transaction: the verdict of a health check, a
 * refreshed token, a refused grant. A change of status emits {@code connection.health_changed}.
 * The health monitor and the token refresher both record here, so neither depends on the other.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class ConnectionStatusRecorder {
    private final ConnectionEvents events;
    private final ConnectionsConfig config;

    public ConnectionStatusRecorder(ConnectionEvents events, ConnectionsConfig config) {
        this.events = events;
        this.config = config;
    }

    /**
     * A check's verdict: {@code healthy}; {@code degraded} when the system throttled us or answered slower than
     * {@code weft.connections.health.slow-check}; {@code failing} when it refused the credentials or did not answer;
     * {@code auth_expired} when the OAuth grant is gone. Schedules the next check.
     */
    public void recordCheck(UUID id, CheckResult result) {
        // Locked: a refresh refusing the grant at the same moment holds the row; reading it unlocked would let this
        // verdict, computed before, overwrite auth_expired once the refresh commits.
        Connection connection = Connection.<Connection>find("id", id).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (connection == null) {
            return;
        }
        ConnectionStatus previous = ConnectionStatus.of(connection.status);
        ConnectionStatus status = switch (result.outcome()) {
            case OK -> result.latencyMillis() > config.health().slowCheck().toMillis() ? ConnectionStatus.DEGRADED : ConnectionStatus.HEALTHY;
            case DEGRADED -> ConnectionStatus.DEGRADED;
            case FAILED -> ConnectionStatus.FAILING;
            case AUTH_EXPIRED -> ConnectionStatus.AUTH_EXPIRED;
        };
        if (previous == ConnectionStatus.AUTH_EXPIRED && status != ConnectionStatus.AUTH_EXPIRED) {
            // The provider refused the grant: an access token that still answers does not undo that; a successful
            // refresh or a new authorization does.
            status = ConnectionStatus.AUTH_EXPIRED;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        connection.lastCheckedAt = now;
        connection.nextCheckAt = now.plus(config.health().checkEvery());
        connection.consecutiveFailures = status == ConnectionStatus.HEALTHY ? 0 : connection.consecutiveFailures + 1;
        connection.statusMessage = status == ConnectionStatus.HEALTHY ? null
                : status == ConnectionStatus.AUTH_EXPIRED && result.outcome() != CheckResult.Outcome.AUTH_EXPIRED ? connection.statusMessage
                : truncate(result.message());
        setStatus(connection, previous, status);
        Log.infof("event=connection_checked org_id=%s connection_id=%s status=%s latency_ms=%d", connection.orgId, connection.connectionId(),
                status.json(), result.latencyMillis());
    }

    /** Called in the refresh's transaction: a refreshed token proves the grant works again. */
    public void recordRefreshed(Connection connection) {
        ConnectionStatus previous = ConnectionStatus.of(connection.status);
        if (previous == ConnectionStatus.AUTH_EXPIRED) {
            connection.statusMessage = null;
            connection.consecutiveFailures = 0;
            setStatus(connection, previous, ConnectionStatus.HEALTHY);
        }
    }

    /** Called in the refresh's transaction when the provider refused the grant. */
    public void recordAuthExpired(Connection connection, String message) {
        connection.statusMessage = truncate(message);
        connection.lastCheckedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        setStatus(connection, ConnectionStatus.of(connection.status), ConnectionStatus.AUTH_EXPIRED);
    }

    private void setStatus(Connection connection, ConnectionStatus previous, ConnectionStatus status) {
        connection.status = status.json();
        if (previous != status) {
            events.healthChanged(connection, previous);
            Log.infof("event=connection_health_changed org_id=%s connection_id=%s from=%s to=%s", connection.orgId, connection.connectionId(),
                    previous.json(), status.json());
        }
    }

    private static String truncate(String message) {
        return message == null || message.length() <= 1000 ? message : message.substring(0, 1000);
    }
}
