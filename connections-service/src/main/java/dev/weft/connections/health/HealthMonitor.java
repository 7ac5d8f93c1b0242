package dev.weft.connections.health;

import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionRuntime;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.connections.connection.ConnectionStatusRecorder;
import dev.weft.connections.connector.CheckResult;
import dev.weft.platform.db.DueWork;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * Periodic health checks. Each round claims the connections due a check through {@link DueWork}
 * (its {@code next_check_at} moved {@code check-every} ahead in the claiming statement is the
 * lease), so every due check runs once across all replicas, and one a killed replica had claimed
 * comes back at its next due time. {@link ConnectionStatusRecorder} turns the verdict into the
 * connection's status.
 */
@ApplicationScoped
public class HealthMonitor {
    private static final DueWork.Claim DUE_CHECKS = DueWork.Claim.dueBy("connections", "next_check_at", "id, org_id");

    private final ConnectionService connections;
    private final ConnectionRuntime runtime;
    private final ConnectionStatusRecorder statuses;
    private final DueWork dueWork;
    private final ConnectionsConfig config;

    public HealthMonitor(ConnectionService connections, ConnectionRuntime runtime, ConnectionStatusRecorder statuses, DueWork dueWork,
                         ConnectionsConfig config) {
        this.connections = connections;
        this.runtime = runtime;
        this.statuses = statuses;
        this.dueWork = dueWork;
        this.config = config;
    }

    private record Due(UUID id, String orgId) {
    }

    /** Checks a connection of the current org now and records the verdict. */
    public void checkNow(String id) {
        check(QuarkusTransaction.requiringNew().call(() -> connections.require(id)).id);
    }

    @Scheduled(every = "${weft.connections.health.interval:30s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkDue() {
        List<Due> due;
        try {
            due = dueWork.claim(DUE_CHECKS, DueWork.Parameters.NONE, config.health().checkEvery(), config.health().batchSize(),
                    row -> new Due(row.getObject("id", UUID.class), row.getString("org_id")));
        } catch (IllegalStateException e) {
            Log.warnf("event=health_claim_failed message=\"%s\"", e.getMessage());
            return;
        }
        dueWork.forEach("health_check", due, Due::orgId, connection -> check(connection.id()));
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
}
