package dev.weft.connections.health;

import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionRuntime;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connection.ConnectionStatusRecorder;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Periodic health checks. Each round claims the connections due a check with {@code FOR UPDATE
 * SKIP LOCKED} and moves their next check forward in the same statement, so every due check runs
 * once across all replicas. {@link ConnectionStatusRecorder} turns the verdict into the
 * connection's status.
 */
@ApplicationScoped
public class HealthMonitor {
    private final ConnectionService connections;
    private final ConnectionRuntime runtime;
    private final ConnectionStatusRecorder statuses;
    private final DataSource dataSource;
    private final ConnectionsConfig config;
    private final SystemPrincipal system;

    public HealthMonitor(ConnectionService connections, ConnectionRuntime runtime, ConnectionStatusRecorder statuses, DataSource dataSource,
                         ConnectionsConfig config, SystemPrincipal system) {
        this.connections = connections;
        this.runtime = runtime;
        this.statuses = statuses;
        this.dataSource = dataSource;
        this.config = config;
        this.system = system;
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
        QuarkusTransaction.requiringNew().run(() -> statuses.recordCheck(id, verdict));
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
}
