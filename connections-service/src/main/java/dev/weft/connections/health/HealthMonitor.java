package dev.weft.connections.health;

import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionDtos;
import dev.weft.connections.connection.ConnectionEvents;
import dev.weft.connections.connection.ConnectionRuntime;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connection.ConnectionStatus;
import dev.weft.connections.connector.CheckResult;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Periodic health checks. Each round claims the connections due a check with {@code FOR UPDATE
 * SKIP LOCKED} and moves their next check forward in the same statement, so every due check runs
 * once across all replicas. A check's verdict: {@code healthy}; {@code degraded} when the system
 * throttled us or answered slower than {@code weft.connections.health.slow-check}; {@code failing}
 * when it refused the credentials or did not answer; {@code auth_expired} when the OAuth grant is
 * gone. A change of status emits {@code connection.health_changed}.
 */
@ApplicationScoped
public class HealthMonitor {
    private final ConnectionService connections;
    private final ConnectionRuntime runtime;
    private final ConnectionEvents events;
    private final DataSource dataSource;
    private final ConnectionsConfig config;
    private final SystemPrincipal system;

    public HealthMonitor(ConnectionService connections, ConnectionRuntime runtime, ConnectionEvents events, DataSource dataSource,
                         ConnectionsConfig config, SystemPrincipal system) {
        this.connections = connections;
        this.runtime = runtime;
        this.events = events;
        this.dataSource = dataSource;
        this.config = config;
        this.system = system;
    }

    public ConnectionDtos.StatusView status(String id) {
        // Its own transaction: a check or refresh just committed the status in another one.
        Connection c = QuarkusTransaction.requiringNew().call(() -> connections.require(id));
        return new ConnectionDtos.StatusView(c.connectionId(), c.provider, c.status, c.statusMessage, c.lastCheckedAt, c.nextCheckAt,
                c.consecutiveFailures, c.tokenExpiresAt, c.credentialFieldList().contains("refresh_token"));
    }

    /** Checks a connection of the current org now and records the verdict. */
    public void checkNow(String id) {
        check(QuarkusTransaction.requiringNew().call(() -> connections.require(id)).id);
    }

    @Scheduled(every = "${weft.connections.health.interval:30s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkDue() {
        for (String[] due : claimDue()) {
            try {
                system.runAs(due[1], () -> check(UUID.fromString(due[0])));
            } catch (RuntimeException e) {
                Log.warnf("event=health_check_error connection_id=%s error=%s", due[0], e.getClass().getSimpleName());
            }
        }
    }

    private void check(UUID id) {
        Connection connection = QuarkusTransaction.requiringNew().call(() -> Connection.<Connection>findById(id));
        if (connection == null) {
            return;
        }
        CheckResult result;
        try {
            result = runtime.connector(connection).check(runtime.context(connection));
        } catch (RuntimeException e) {
            // Connectors report through their result; what throws here is ours (a token refresh, a gone provider).
            result = CheckResult.probe(() -> {
                throw e;
            });
        }
        CheckResult verdict = result;
        QuarkusTransaction.requiringNew().run(() -> record(id, verdict));
    }

    private void record(UUID id, CheckResult result) {
        Connection connection = Connection.findById(id);
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

    private List<String[]> claimDue() {
        List<String[]> due = new ArrayList<>();
        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement claim = db.prepareStatement("""
                     UPDATE connections SET next_check_at = now() + make_interval(secs => ?)
                     WHERE id IN (SELECT id FROM connections WHERE next_check_at <= now()
                                  ORDER BY next_check_at LIMIT ? FOR UPDATE SKIP LOCKED)
                     RETURNING id, org_id""")) {
            claim.setLong(1, config.health().checkEvery().toSeconds());
            claim.setInt(2, config.health().batchSize());
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    due.add(new String[]{rows.getString(1), rows.getString(2)});
                }
            }
        } catch (SQLException e) {
            Log.warnf("event=health_claim_failed message=\"%s\"", e.getMessage());
        }
        return due;
    }

    private static String truncate(String message) {
        return message == null || message.length() <= 1000 ? message : message.substring(0, 1000);
    }
}
