package dev.weft.workflow.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.db.Timestamps;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.workflow.workflow.Workflow;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Executions of the current org: lists and details with their steps, retry from the failed step, cancel. */
@ApplicationScoped
public class ExecutionService {
    private static final Set<String> STATUSES = Set.of("queued", "running", "waiting", "succeeded", "failed", "cancelled");

    private final DataSource dataSource;
    private final CursorCodec cursors;
    private final ObjectMapper json;
    private final ExecutionWorker worker;

    public ExecutionService(DataSource dataSource, CursorCodec cursors, ObjectMapper json, ExecutionWorker worker) {
        this.dataSource = dataSource;
        this.cursors = cursors;
        this.json = json;
        this.worker = worker;
    }

    public Page<ExecutionDtos.ExecutionView> list(String workflowId, String status, String from, String to, String limit, String cursor) {
        Workflow workflow = Workflow.findById(Ids.require(Workflow.ID_PREFIX, workflowId, "workflow"));
        if (workflow == null) {
            throw ApiException.notFound("workflow");
        }
        if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
            throw ApiException.invalid("status", "one_of", "status must be one of queued, running, waiting, succeeded, failed, cancelled");
        }
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Execution.class).where("workflowId = :workflow", "workflow", workflow.id)
                .whereIfPresent("status = :status", "status", status == null || status.isBlank() ? null : status)
                .whereIfPresent("createdAt >= :from", "from", time(from, "from"))
                .whereIfPresent("createdAt < :to", "to", time(to, "to"))
                .page(page, e -> view(e, false), cursors);
    }

    public ExecutionDtos.ExecutionView get(String id) {
        return view(require(id), true);
    }

    /** A failed execution runs again from its failed step (the steps before it are not repeated), with fresh attempts. */
    @Transactional
    public ExecutionDtos.ExecutionView retry(String id) {
        Execution execution = require(id);
        if (!execution.status.equals("failed")) {
            throw new ApiException(ErrorCode.INVALID_STATUS_TRANSITION, "only a failed execution can be retried; this one is " + execution.status);
        }
        update("UPDATE execution_steps SET status = 'pending', attempts = 0, error = NULL WHERE execution_id = ? AND step_index = ?",
                execution.id, execution.currentStep);
        update("""
                UPDATE executions SET status = 'queued', error = NULL, finished_at = NULL, due_at = now(), lease_owner = NULL, updated_at = now()
                WHERE id = ?""", execution.id);
        Log.infof("event=execution_retried execution_id=%s step=%d", execution.executionId(), execution.currentStep);
        worker.wakeAfterCommit();
        Execution.getEntityManager().refresh(execution);
        return view(execution, true);
    }

    /** Stops an execution that has not finished: no further step runs (one in flight finishes, and its result is dropped). */
    @Transactional
    public ExecutionDtos.ExecutionView cancel(String id) {
        Execution execution = require(id);
        if (!Set.of("queued", "running", "waiting").contains(execution.status)) {
            throw new ApiException(ErrorCode.INVALID_STATUS_TRANSITION, "only a queued, running or waiting execution can be cancelled; this one is "
                    + execution.status);
        }
        update("""
                UPDATE executions SET status = 'cancelled', due_at = NULL, lease_owner = NULL, finished_at = now(), updated_at = now() WHERE id = ?""",
                execution.id);
        update("UPDATE execution_steps SET status = 'cancelled' WHERE execution_id = ? AND status IN ('pending', 'running', 'retrying')", execution.id);
        Log.infof("event=execution_cancelled execution_id=%s", execution.executionId());
        Execution.getEntityManager().refresh(execution);
        return view(execution, true);
    }

    public Execution require(String id) {
        Execution execution = Execution.findById(Ids.require(Execution.ID_PREFIX, id, "execution"));
        if (execution == null) {
            throw ApiException.notFound("execution");
        }
        return execution;
    }

    private ExecutionDtos.ExecutionView view(Execution e, boolean withSteps) {
        return new ExecutionDtos.ExecutionView(e.executionId(), TypeId.format(Workflow.ID_PREFIX, e.workflowId), e.workflowVersion,
                e.triggerId == null ? null : TypeId.format("trg", e.triggerId), e.triggerType, e.eventId, e.status, read(e.input), e.currentStep,
                e.status.equals("waiting") ? e.dueAt : null, read(e.error), withSteps ? steps(e.id) : null, e.startedAt, e.finishedAt, e.createdAt);
    }

    private List<ExecutionDtos.StepView> steps(UUID id) {
        List<ExecutionDtos.StepView> steps = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("""
                SELECT step_index, type, status, input, output, warnings, error, attempts, started_at, finished_at
                FROM execution_steps WHERE execution_id = ? ORDER BY step_index""")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Instant started = Timestamps.instant(row, 9);
                    Instant finished = Timestamps.instant(row, 10);
                    @SuppressWarnings("unchecked")
                    List<String> warnings = (List<String>) read(row.getString(6));
                    steps.add(new ExecutionDtos.StepView(row.getInt(1), row.getString(2), row.getString(3), read(row.getString(4)), read(row.getString(5)),
                            warnings, read(row.getString(7)), row.getInt(8), started, finished,
                            started != null && finished != null ? java.time.Duration.between(started, finished).toMillis() : null));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading steps failed", e);
        }
        return steps;
    }

    private void update(String sql, Object... parameters) {
        try (Connection db = dataSource.getConnection()) {
            ExecutionWorker.execute(db, sql, parameters);
        } catch (SQLException e) {
            throw new IllegalStateException("updating an execution failed", e);
        }
    }

    private Object read(String text) {
        try {
            return text == null ? null : json.readValue(text, Object.class);
        } catch (Exception e) {
            return text;
        }
    }

    private static Instant time(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, "format", field + " must be an RFC 3339 time such as 2025-01-31T12:00:00Z");
        }
    }
}
