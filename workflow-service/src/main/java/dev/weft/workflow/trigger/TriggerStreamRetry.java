package dev.weft.workflow.trigger;

import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Record triggers whose change stream could not be ensured when they were written (connections-service unreachable or
 * failing) try again, each as its org. Any replica may do it: ensuring is idempotent (an existing stream is found).
 */
@ApplicationScoped
public class TriggerStreamRetry {
    private final DataSource dataSource;
    private final TriggerService triggers;
    private final SystemPrincipal system;

    public TriggerStreamRetry(DataSource dataSource, TriggerService triggers, SystemPrincipal system) {
        this.dataSource = dataSource;
        this.triggers = triggers;
        this.system = system;
    }

    private record Pending(UUID id, String orgId) {
    }

    @Scheduled(identity = "weft-workflow-trigger-streams", every = "${weft.workflow.streams.retry-interval:1m}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retry() {
        List<Pending> pending = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement(
                     "SELECT id, org_id FROM triggers WHERE stream_pending AND enabled ORDER BY updated_at LIMIT 100");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                pending.add(new Pending(rows.getObject(1, UUID.class), rows.getString(2)));
            }
        } catch (SQLException e) {
            Log.warnf("event=trigger_stream_retry_failed message=\"%s\"", e.getMessage());
            return;
        }
        for (Pending one : pending) {
            system.runAs(one.orgId(), () -> QuarkusTransaction.requiringNew().run(() -> {
                Trigger trigger = Trigger.findById(one.id());
                if (trigger != null && trigger.streamPending && trigger.enabled) {
                    // No field: a 400 now is noted on the trigger, there is no request to refuse.
                    triggers.ensureStream(trigger, null);
                }
            }));
        }
    }
}
