package dev.weft.workflow.execution;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.db.AfterCommit;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Failures;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.workflow.WorkflowConfig;
import dev.weft.workflow.action.Action;
import dev.weft.workflow.action.Actions;
import dev.weft.workflow.action.StepFailure;
import dev.weft.workflow.action.StepInput;
import dev.weft.workflow.action.StepResult;
import dev.weft.workflow.workflow.Workflow;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs executions step by step, on any number of replicas, each execution on one at a time. Top to bottom:
 * <ol>
 *   <li><b>claim</b> due executions ({@link DueWork}: queued, retrying after a backoff, waiting out a delay, or running
 *       on a replica whose lease ran out) with a claim token of this round in {@code lease_owner};</li>
 *   <li><b>begin</b> the current step in a transaction: attempts + 1, its input, {@code running};</li>
 *   <li><b>run</b> the action outside any transaction, as the execution's org;</li>
 *   <li><b>record</b> in one transaction, guarded by the claim token and the step index: the step's outcome, the
 *       execution's next state (next step and renewed lease, a delay's due time, a retry's backoff, or the end with
 *       {@code workflow.completed|failed} in the outbox).</li>
 * </ol>
 * A replica killed between 2 and 4 leaves the step {@code running} with the lease ticking; another replica claims the
 * execution when it passes and runs that step again, never one already recorded done. Steps with side effects carry
 * an idempotency key stable across those attempts ({@code exe_...:step}).
 */
@ApplicationScoped
public class ExecutionWorker {
    private static final DueWork.Claim CLAIM = new DueWork.Claim("executions", "c.status IN ('queued', 'running', 'waiting') AND c.due_at <= now()",
            "c.due_at", "due_at", "SELECT id, org_id FROM claimed").ownedBy("lease_owner");

    private final DueWork dueWork;
    private final DataSource dataSource;
    private final ObjectMapper json;
    private final Outbox outbox;
    private final Actions actions;
    private final SystemPrincipal system;
    private final SecretCipher cipher;
    private final WorkflowConfig.Worker config;
    private final AfterCommit afterCommit;
    private final String instance = "wkr-" + UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong rounds = new AtomicLong();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile boolean stopping;
    /** Whether the last claim filled every free slot (more work is probably due). */
    private volatile boolean backlog;

    record Claimed(UUID id, String orgId) {
    }

    public ExecutionWorker(DueWork dueWork, DataSource dataSource, ObjectMapper json, Outbox outbox, Actions actions, SystemPrincipal system,
                           SecretCipher cipher, WorkflowConfig config, AfterCommit afterCommit) {
        this.dueWork = dueWork;
        this.dataSource = dataSource;
        this.json = json;
        this.outbox = outbox;
        this.actions = actions;
        this.system = system;
        this.cipher = cipher;
        this.config = config.worker();
        this.afterCommit = afterCommit;
        this.slots = new Semaphore(Math.max(1, config.worker().concurrency()));
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        executor.shutdown();
    }

    @Scheduled(identity = "weft-workflow-executions", every = "${weft.workflow.worker.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!config.enabled() || stopping) {
            return;
        }
        try {
            claimAndStart();
        } catch (RuntimeException e) {
            Log.warnf("event=execution_poll_failed instance=%s error=%s message=\"%s\"", instance, e.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** Once the caller's transaction commits, looks for work now instead of at the next poll (a new execution runs at once). */
    public void wakeAfterCommit() {
        if (!config.enabled()) {
            return;
        }
        afterCommit.run(this::wake);
    }

    /** Looks for work now, on the worker's executor; wake-ups that come while one is queued are one. */
    private void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            executor.execute(() -> {
                wakeQueued.set(false);
                poll();
            });
        }
    }

    private void claimAndStart() {
        while (!stopping) {
            int free = slots.availablePermits();
            if (free == 0) {
                // Called because work is due, and every slot is busy: the next slot to free claims it.
                backlog = true;
                return;
            }
            String owner = instance + "/" + rounds.incrementAndGet();
            List<Claimed> claimed = dueWork.claim(CLAIM, owner, DueWork.Parameters.NONE, config.lease(), free,
                    row -> new Claimed(row.getObject("id", UUID.class), row.getString("org_id")));
            for (Claimed execution : claimed) {
                slots.acquireUninterruptibly();
                executor.execute(() -> {
                    try {
                        system.runAs(execution.orgId(), () -> run(execution.id(), owner, Integer.MAX_VALUE));
                    } catch (RuntimeException e) {
                        Log.warnf("event=execution_run_failed execution_id=%s error=%s message=\"%s\"", TypeId.format(Execution.ID_PREFIX, execution.id()),
                                e.getClass().getSimpleName(), e.getMessage());
                    } finally {
                        slots.release();
                        // The last claim took all it could, so more is likely due: claim again now, not at the next
                        // poll (else a backlog drains at one round of slots per poll interval: 32 a second).
                        if (backlog) {
                            wake();
                        }
                    }
                });
            }
            backlog = claimed.size() == free;
            if (claimed.size() < free) {
                return;
            }
        }
    }

    /**
     * Claims due executions as {@code owner} and runs at most {@code maxSteps} steps of each on this thread, then leaves
     * them as they are (claimed, if steps remain): what a replica killed after that many steps leaves behind. For tests
     * of takeover; the worker itself runs each execution to its end.
     */
    public int runDueAs(String owner, int maxSteps) {
        List<Claimed> claimed = dueWork.claim(CLAIM, owner, DueWork.Parameters.NONE, config.lease(), 100,
                row -> new Claimed(row.getObject("id", UUID.class), row.getString("org_id")));
        for (Claimed execution : claimed) {
            system.runAs(execution.orgId(), () -> run(execution.id(), owner, maxSteps));
        }
        return claimed.size();
    }

    /** The state the running step needs, read when it begins. */
    private record Begun(UUID id, String orgId, UUID workflowId, int index, int stepCount, String type, JsonNode action, ObjectNode config,
                         Map<String, Object> context, int attempts, String secretCiphertext, Instant createdAt, JsonNode actions) {
    }

    /** A workflow version's actions, parsed once per replica: a version is never changed once stored. */
    private final Map<String, JsonNode> definitions = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_DEFINITIONS = 1000;

    private JsonNode actions(Connection db, UUID workflowId, int version) throws Exception {
        String key = workflowId + ":" + version;
        JsonNode cached = definitions.get(key);
        if (cached != null) {
            return cached;
        }
        try (PreparedStatement select = db.prepareStatement("SELECT definition FROM workflow_versions WHERE workflow_id = ? AND version = ?")) {
            select.setObject(1, workflowId);
            select.setInt(2, version);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("workflow version " + key + " is missing");
                }
                JsonNode actions = json.readTree(row.getString(1)).path("actions");
                if (definitions.size() >= MAX_DEFINITIONS) {
                    definitions.clear();
                }
                definitions.put(key, actions);
                return actions;
            }
        }
    }

    private void run(UUID id, String owner, int maxSteps) {
        Begun step;
        try {
            step = QuarkusTransaction.requiringNew().call(() -> begin(id, owner));
        } catch (Exception e) {
            if (!Failures.isTransient(e)) {
                Log.warnf("event=step_begin_failed execution_id=%s error=%s message=\"%s\"", TypeId.format(Execution.ID_PREFIX, id),
                        e.getClass().getSimpleName(), e.getMessage());
            }
            return;
        }
        for (int done = 0; step != null && !stopping; done++) {
            long started = System.nanoTime();
            StepResult result = null;
            StepFailure failure = null;
            try {
                Action action = actions.require(step.type());
                // Decrypted only for a step that signs: most steps do not, and decrypting costs more than they do.
                String secret = !action.signs() || step.secretCiphertext() == null ? null
                        : cipher.decrypt(step.secretCiphertext(), TypeId.format(Workflow.ID_PREFIX, step.workflowId()));
                String key = TypeId.format(Execution.ID_PREFIX, id) + ":" + step.index();
                result = action.run(new StepInput(TypeId.format(Execution.ID_PREFIX, id), step.index(),
                        TypeId.format(Workflow.ID_PREFIX, step.workflowId()), step.config(), step.context(), secret, key));
            } catch (StepFailure f) {
                failure = f;
            } catch (RuntimeException e) {
                if (Failures.isTransient(e)) {
                    failure = StepFailure.retryable("UPSTREAM_ERROR", e.getMessage());
                } else {
                    Log.warnf(e, "event=step_crashed execution_id=%s step=%d", TypeId.format(Execution.ID_PREFIX, id), step.index());
                    failure = StepFailure.retryable("INTERNAL_ERROR", e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            Begun ran = step;
            StepResult ok = result;
            StepFailure failed = failure;
            // A replica told to stop after maxSteps (tests of takeover) records this step and begins no other.
            boolean beginNext = done + 1 < maxSteps && !stopping;
            try {
                step = QuarkusTransaction.requiringNew().call(() -> record(ran, owner, ok, failed, millis, beginNext));
            } catch (Exception e) {
                // Unknown whether it committed: the lease decides, and the guard keeps a recorded step from being recorded twice.
                Log.warnf("event=step_record_failed execution_id=%s step=%d error=%s message=\"%s\"", TypeId.format(Execution.ID_PREFIX, id),
                        ran.index(), e.getClass().getSimpleName(), e.getMessage());
                return;
            }
        }
    }

    /** Marks the current step running (attempt + 1); null when the claim is gone or nothing is left to run. */
    private Begun begin(UUID id, String owner) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            UUID workflowId;
            int version;
            int index;
            int count;
            String status;
            Map<String, Object> context;
            String secret;
            Instant createdAt;
            String orgId;
            try (PreparedStatement select = db.prepareStatement("""
                    SELECT e.org_id, e.workflow_id, e.workflow_version, e.current_step, e.step_count, e.status, e.context, e.created_at, w.signing_secret
                    FROM executions e JOIN workflows w ON w.id = e.workflow_id
                    WHERE e.id = ? AND e.lease_owner = ? AND e.status IN ('queued', 'running', 'waiting') FOR UPDATE OF e""")) {
                select.setObject(1, id);
                select.setString(2, owner);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return null;
                    }
                    orgId = row.getString(1);
                    workflowId = row.getObject(2, UUID.class);
                    version = row.getInt(3);
                    index = row.getInt(4);
                    count = row.getInt(5);
                    status = row.getString(6);
                    context = json.readValue(row.getString(7), new TypeReference<LinkedHashMap<String, Object>>() { });
                    createdAt = row.getTimestamp(8).toInstant();
                    secret = row.getString(9);
                }
            }
            if (!status.equals("running")) {
                try (PreparedStatement running = db.prepareStatement("""
                        UPDATE executions SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now() WHERE id = ?""")) {
                    running.setObject(1, id);
                    running.executeUpdate();
                }
                Log.debugf("event=execution_resumed execution_id=%s step=%d from=%s", TypeId.format(Execution.ID_PREFIX, id), index, status);
            }
            Begun known = new Begun(id, orgId, workflowId, index, count, null, null, null, context, 0, secret, createdAt,
                    actions(db, workflowId, version));
            return markRunning(db, known, index, context);
        }
    }

    /** The step at {@code index} is running (attempt + 1, its input stored), in the caller's transaction. */
    private Begun markRunning(Connection db, Begun execution, int index, Map<String, Object> context) throws Exception {
        JsonNode action = execution.actions().get(index);
        ObjectNode config = Actions.config(action);
        int attempts;
        try (PreparedStatement mark = db.prepareStatement("""
                UPDATE execution_steps SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, input = ?
                WHERE execution_id = ? AND step_index = ? RETURNING attempts""")) {
            mark.setString(1, json.writeValueAsString(config));
            mark.setObject(2, execution.id());
            mark.setInt(3, index);
            try (ResultSet row = mark.executeQuery()) {
                row.next();
                attempts = row.getInt(1);
            }
        }
        return new Begun(execution.id(), execution.orgId(), execution.workflowId(), index, execution.stepCount(), action.path("type").asText(), action,
                config, context, attempts, execution.secretCiphertext(), execution.createdAt(), execution.actions());
    }

    /**
     * Records the attempt and moves the execution on; when the next step should run now (and {@code beginNext}), begins
     * it in the same transaction and returns it, else null. One transaction per step instead of two.
     */
    private Begun record(Begun step, String owner, StepResult result, StepFailure failure, long millis, boolean beginNext) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            // Still ours, still at this step: otherwise another replica took over (this one was too slow) and decides.
            try (PreparedStatement lock = db.prepareStatement(
                    "SELECT 1 FROM executions WHERE id = ? AND lease_owner = ? AND current_step = ? AND status = 'running' FOR UPDATE")) {
                lock.setObject(1, step.id());
                lock.setString(2, owner);
                lock.setInt(3, step.index());
                try (ResultSet row = lock.executeQuery()) {
                    if (!row.next()) {
                        Log.infof("event=step_result_dropped execution_id=%s step=%d reason=claim_lost", TypeId.format(Execution.ID_PREFIX, step.id()),
                                step.index());
                        return null;
                    }
                }
            }
            String executionId = TypeId.format(Execution.ID_PREFIX, step.id());
            if (failure != null) {
                Actions.Retry retry = Actions.retry(step.action(), "actions[" + step.index() + "]");
                boolean again = failure.retryable() && step.attempts() < retry.maxAttempts();
                updateStep(db, step, again ? "retrying" : "failed", null, null, Map.of("code", failure.code(), "message", failure.getMessage()));
                if (again) {
                    Duration backoff = retry.after(step.attempts());
                    execute(db, "UPDATE executions SET due_at = ?, lease_owner = NULL, updated_at = now() WHERE id = ?",
                            Timestamp.from(Instant.now().plus(backoff)), step.id());
                    Log.infof("event=step_retrying execution_id=%s step=%d type=%s attempt=%d retry_in_ms=%d code=%s", executionId, step.index(),
                            step.type(), step.attempts(), backoff.toMillis(), failure.code());
                    return null;
                }
                Map<String, Object> error = Map.of("code", failure.code(), "message", failure.getMessage());
                execute(db, """
                        UPDATE executions SET status = 'failed', error = ?, due_at = NULL, lease_owner = NULL, finished_at = now(), updated_at = now()
                        WHERE id = ?""", json.writeValueAsString(error), step.id());
                Map<String, Object> event = finished(step, "failed", counts(step, step.index(), 1, 0));
                event.put("failed_at", Instant.now().toString());
                event.put("failed_step", Map.of("index", step.index(), "type", step.type()));
                event.put("error", error);
                outbox.publish(DomainEvent.of(Topics.WORKFLOWS, "workflow.failed", executionId, event));
                Log.infof("event=execution_failed execution_id=%s step=%d type=%s attempts=%d code=%s", executionId, step.index(), step.type(),
                        step.attempts(), failure.code());
                return null;
            }
            Map<String, Object> context = step.context();
            @SuppressWarnings("unchecked")
            List<Object> outputs = context.get("steps") instanceof List<?> list ? new ArrayList<>((List<Object>) list) : new ArrayList<>();
            while (outputs.size() <= step.index()) {
                outputs.add(null);
            }
            outputs.set(step.index(), result.output());
            context.put("steps", outputs);
            if (result.record() != null) {
                context.put("record", result.record());
            }
            updateStep(db, step, "succeeded", result.output(), result.warnings(), null);
            int next = step.index() + 1;
            boolean last = next >= step.stepCount() || result.stop();
            if (last) {
                if (result.stop()) {
                    execute(db, "UPDATE execution_steps SET status = 'skipped' WHERE execution_id = ? AND step_index > ?", step.id(), step.index());
                }
                execute(db, """
                        UPDATE executions SET status = 'succeeded', current_step = ?, context = ?, due_at = NULL, lease_owner = NULL, finished_at = now(),
                               updated_at = now() WHERE id = ?""", next, json.writeValueAsString(context), step.id());
                Map<String, Object> event = finished(step, "succeeded", counts(step, next, 0, result.stop() ? step.stepCount() - next : 0));
                event.put("completed_at", Instant.now().toString());
                if (result.stop()) {
                    event.put("stopped_at_step", step.index());
                }
                outbox.publish(DomainEvent.of(Topics.WORKFLOWS, "workflow.completed", executionId, event));
                Log.infof("event=execution_completed execution_id=%s steps=%d stopped=%s", executionId, next, result.stop());
                return null;
            }
            if (result.resumeAt() != null) {
                execute(db, """
                        UPDATE executions SET status = 'waiting', current_step = ?, context = ?, due_at = ?, lease_owner = NULL, updated_at = now()
                        WHERE id = ?""", next, json.writeValueAsString(context), Timestamp.from(result.resumeAt()), step.id());
                return null;
            }
            execute(db, """
                    UPDATE executions SET current_step = ?, context = ?, due_at = now() + make_interval(secs => ?), updated_at = now() WHERE id = ?""",
                    next, json.writeValueAsString(context), config.lease().toMillis() / 1000.0, step.id());
            return beginNext ? markRunning(db, step, next, context) : null;
        }
    }

    private void updateStep(Connection db, Begun step, String status, Object output, List<String> warnings, Map<String, Object> error) throws Exception {
        execute(db, """
                UPDATE execution_steps SET status = ?, output = ?, warnings = ?, error = ?, finished_at = now()
                WHERE execution_id = ? AND step_index = ?""", status, output == null ? null : json.writeValueAsString(output),
                warnings == null || warnings.isEmpty() ? null : json.writeValueAsString(warnings), error == null ? null : json.writeValueAsString(error),
                step.id(), step.index());
    }

    private Map<String, Object> finished(Begun step, String status, Map<String, Object> counts) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", TypeId.format(Execution.ID_PREFIX, step.id()));
        event.put("workflow_id", TypeId.format(Workflow.ID_PREFIX, step.workflowId()));
        event.put("org_id", step.orgId());
        event.put("trigger", step.context().getOrDefault("trigger", Map.of()));
        event.put("status", status);
        event.put("triggered_at", step.createdAt().toString());
        event.put("duration_ms", Math.max(0, Duration.between(step.createdAt(), Instant.now()).toMillis()));
        event.put("steps", counts);
        return event;
    }

    /**
     * The steps' tally for the finished event, from what the worker knows rather than a query: steps before the one that
     * ended all succeeded (steps run in order, and a retry resumes at the failed step), the rest were skipped or not run.
     */
    private static Map<String, Object> counts(Begun step, int succeeded, int failed, int skipped) {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", step.stepCount());
        counts.put("succeeded", succeeded);
        counts.put("failed", failed);
        counts.put("skipped", skipped);
        return counts;
    }

    static void execute(Connection db, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }
}
