package dev.weft.workflow.execution;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.db.AfterCommit;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.db.Timestamps;
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
import java.sql.Types;
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
 *       on a replica whose lease ran out) with a claim token of this round in {@code lease_owner}; or take one the
 *       starter inserted already claimed and handed over ({@link #reserve}, {@link #start});</li>
 *   <li><b>begin</b> the current step: attempts + 1, its input, {@code running} (in memory: a side-effect-free step, and a step
 *       with side effects right after side-effect-free ones while the lease is fresh, {@link #leaseFresh});</li>
 *   <li><b>run</b> the action outside any transaction, as the execution's org;</li>
 *   <li><b>record</b>, guarded by the claim token and the step index: the step's outcome, the execution's next state
 *       (next step and renewed lease, a delay's due time, a retry's backoff, or the end with
 *       {@code workflow.completed|failed} in the outbox); a success in one statement, a failure in a transaction.</li>
 * </ol>
 * A replica killed between 2 and 4 leaves the step {@code running} (or {@code pending}, begun in memory) with the lease ticking; another replica claims the
 * execution when it passes and runs that step again, never one already recorded done. Steps with side effects carry
 * an idempotency key stable across those attempts ({@code exe_...:step}).
 */
@ApplicationScoped
public class ExecutionWorker {
    /**
     * Due executions, claimed running (a claimed execution runs on its replica from now on) and read with all that their
     * current step needs to begin, so beginning it costs no query: a side-effect-free step begins in memory.
     */
    private static final DueWork.Claim CLAIM = new DueWork.Claim("executions", "c.status IN ('queued', 'running', 'waiting') AND c.due_at <= now()",
            "c.due_at", "due_at", """
            SELECT c.id, c.org_id, c.workflow_id, c.workflow_version, c.current_step, c.step_count, c.context, c.created_at, w.signing_secret
            FROM claimed c JOIN workflows w ON w.id = c.workflow_id""")
            .ownedBy("lease_owner").alsoSetting("status = 'running', started_at = coalesce(t.started_at, now()), updated_at = now()");

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
    /** A stored context's reader, its type resolved once (not at every claimed execution). */
    private final com.fasterxml.jackson.databind.ObjectReader contextReader;
    private final Semaphore slots;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile boolean stopping;
    /** Whether the last claim filled every free slot (more work is probably due). */
    private volatile boolean backlog;

    /**
     * A claimed execution as it stands: its current step is the one to run. Its context as stored ({@code context}, JSON)
     * or, handed over by the starter that just wrote it, as it is in memory ({@code contextData}). {@code leasedAt}: this
     * replica's clock just before the statement that set the claim's lease (so the lease ends no sooner than a lease after it).
     */
    record Claimed(UUID id, String orgId, UUID workflowId, int version, int index, int stepCount, String context, Instant createdAt, String secret,
                   Map<String, Object> contextData, Instant leasedAt) {
        static DueWork.Row<Claimed> readLeasedAt(Instant leasedAt) {
            return row -> new Claimed(row.getObject(1, UUID.class), row.getString(2), row.getObject(3, UUID.class), row.getInt(4), row.getInt(5),
                    row.getInt(6), row.getString(7), Timestamps.instant(row, 8), row.getString(9), null, leasedAt);
        }
    }

    /** A slot of this worker taken for an execution being started here, and the claim token it is inserted with. */
    public record HandOff(String owner) {
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
        this.contextReader = json.readerFor(new TypeReference<LinkedHashMap<String, Object>>() { });
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

    /**
     * A free slot for an execution this replica is about to insert, claimed at its insert ({@link HandOff#owner()} in
     * {@code lease_owner}, the lease in {@code due_at}), then given to {@link #start} or back with {@link #release}. None
     * when the worker is off or stopping, every slot is busy, or the last claim found more due than it could take
     * (executions waiting in the table go first: they are claimed as slots free).
     */
    public HandOff reserve() {
        if (!config.enabled() || stopping || backlog || !slots.tryAcquire()) {
            return null;
        }
        return new HandOff(instance + "/" + rounds.incrementAndGet());
    }

    public void release(HandOff handOff) {
        slots.release();
    }

    /** Runs an execution inserted with {@code handOff}'s claim, in the slot it holds. */
    void start(HandOff handOff, Claimed execution) {
        launch(execution, handOff.owner());
    }

    /** How long a claim lasts without a step recorded. */
    public Duration lease() {
        return config.lease();
    }

    /** Looks for work now (a new execution that was not handed over, committed already). */
    public void wakeNow() {
        if (config.enabled()) {
            wake();
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
            List<Claimed> claimed = dueWork.claim(CLAIM, owner, DueWork.Parameters.NONE, config.lease(), free, Claimed.readLeasedAt(Instant.now()));
            for (Claimed execution : claimed) {
                slots.acquireUninterruptibly();
                launch(execution, owner);
            }
            backlog = claimed.size() == free;
            if (claimed.size() < free) {
                return;
            }
        }
    }

    /** Runs a claimed execution to its end on the executor, in a slot already taken, which it frees. */
    private void launch(Claimed execution, String owner) {
        executor.execute(() -> {
            try {
                system.runAs(execution.orgId(), () -> run(execution, owner, Integer.MAX_VALUE));
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

    /**
     * Claims due executions as {@code owner} and runs at most {@code maxSteps} steps of each on this thread, then leaves
     * them as they are (claimed, if steps remain): what a replica killed after that many steps leaves behind. For tests
     * of takeover; the worker itself runs each execution to its end.
     */
    public int runDueAs(String owner, int maxSteps) {
        List<Claimed> claimed = dueWork.claim(CLAIM, owner, DueWork.Parameters.NONE, config.lease(), 100, Claimed.readLeasedAt(Instant.now()));
        for (Claimed execution : claimed) {
            system.runAs(execution.orgId(), () -> run(execution, owner, maxSteps));
        }
        return claimed.size();
    }

    /**
     * The state the running step needs, read when it begins. {@code marked}: the step's row was marked running (attempt
     * + 1) when it began; a side-effect-free step begins in memory only, and its attempt is counted when it is recorded.
     */
    private record Begun(UUID id, String orgId, UUID workflowId, int index, int stepCount, String type, JsonNode action, ObjectNode config,
                         Map<String, Object> context, int attempts, boolean marked, String secretCiphertext, Instant createdAt, Definition definition) {
    }

    /** A side-effect-free step done in memory, not yet recorded: written with the next step that is. */
    private record Done(int index, String configJson, Object output, List<String> warnings, Instant startedAt, Instant finishedAt) {
    }

    /** A workflow version's actions, each with its merged configuration (and that as the JSON stored as the step's input). */
    private record Definition(JsonNode actions, List<ObjectNode> configs, List<String> configJson) {
    }

    /** A workflow version's actions, parsed once per replica: a version is never changed once stored. */
    private final Map<String, Definition> definitions = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_DEFINITIONS = 1000;

    private Definition definition(UUID workflowId, int version) throws Exception {
        String key = workflowId + ":" + version;
        Definition cached = definitions.get(key);
        if (cached != null) {
            return cached;
        }
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement("SELECT definition FROM workflow_versions WHERE workflow_id = ? AND version = ?")) {
            select.setObject(1, workflowId);
            select.setInt(2, version);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("workflow version " + key + " is missing");
                }
                JsonNode actions = json.readTree(row.getString(1)).path("actions");
                List<ObjectNode> configs = new ArrayList<>();
                List<String> configJson = new ArrayList<>();
                for (JsonNode action : actions) {
                    ObjectNode config = Actions.config(action);
                    configs.add(config);
                    configJson.add(json.writeValueAsString(config));
                }
                Definition definition = new Definition(actions, List.copyOf(configs), List.copyOf(configJson));
                if (definitions.size() >= MAX_DEFINITIONS) {
                    definitions.clear();
                }
                definitions.put(key, definition);
                return definition;
            }
        }
    }

    private void run(Claimed claimed, String owner, int maxSteps) {
        UUID id = claimed.id();
        Begun step;
        try {
            Map<String, Object> context = claimed.contextData() != null ? claimed.contextData()
                    : contextReader.readValue(claimed.context());
            Begun known = new Begun(id, claimed.orgId(), claimed.workflowId(), claimed.index(), claimed.stepCount(), null, null, null, context, 0, false,
                    claimed.secret(), claimed.createdAt(), definition(claimed.workflowId(), claimed.version()));
            step = sideEffectFree(known.definition(), claimed.index()) ? inMemory(known, claimed.index(), context)
                    : QuarkusTransaction.requiringNew().call(() -> begin(known, owner));
        } catch (Exception e) {
            if (!Failures.isTransient(e)) {
                Log.warnf("event=step_begin_failed execution_id=%s error=%s message=\"%s\"", TypeId.format(Execution.ID_PREFIX, id),
                        e.getClass().getSimpleName(), e.getMessage());
            }
            return;
        }
        // Side-effect-free steps done since the last transaction, recorded with the next one.
        List<Done> pending = new ArrayList<>();
        // When the claim's lease was last set (by the claim, the hand-off's insert or a recorded step), by this replica's clock.
        Instant leasedAt = claimed.leasedAt();
        for (int done = 0; step != null && !stopping; done++) {
            Instant startedAt = Instant.now();
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
            Begun ran = step;
            StepResult ok = result;
            StepFailure failed = failure;
            // A replica told to stop after maxSteps (tests of takeover) records this step and begins no other.
            boolean beginNext = done + 1 < maxSteps && !stopping;
            int next = step.index() + 1;
            if (ok != null && !ran.marked() && sideEffectFree(ran.definition(), ran.index()) && beginNext && !ok.stop() && ok.resumeAt() == null
                    && next < ran.stepCount() && (sideEffectFree(ran.definition(), next) || leaseFresh(leasedAt))) {
                // This step only computed: no statement before the next one, which runs on in memory. A next step with side
                // effects then begins unmarked (its attempt and input are written with its outcome, in one statement with
                // these): only while the lease set at the claim or last record has more than half of it to run, as a
                // record would have renewed it. Should this replica die before the next record, the lease brings the
                // execution back at its first unrecorded step, and these run again (a step with side effects with the same
                // idempotency key, as after dying mid-step).
                applyOutput(ran.context(), ran.index(), ok);
                pending.add(new Done(ran.index(), ran.definition().configJson().get(ran.index()), ok.output(), ok.warnings(), startedAt, Instant.now()));
                step = inMemory(ran, next, ran.context());
                continue;
            }
            List<Done> recorded = List.copyOf(pending);
            pending.clear();
            try {
                Instant recordedAt = Instant.now();
                // A success is one statement that commits on its own; a failure (rare) decides on the attempts counted, in a transaction.
                step = failed == null ? recordSuccess(ran, recorded, startedAt, owner, ok, beginNext)
                        : QuarkusTransaction.requiringNew().call(() -> recordFailure(ran, recorded, startedAt, owner, failed));
                if (step != null) {
                    // The record that moved on to a next step renewed the lease.
                    leasedAt = recordedAt;
                }
            } catch (Exception e) {
                // Unknown whether it committed: the lease decides, and the guard keeps a recorded step from being recorded twice.
                Log.warnf("event=step_record_failed execution_id=%s step=%d error=%s message=\"%s\"", TypeId.format(Execution.ID_PREFIX, id),
                        ran.index(), e.getClass().getSimpleName(), e.getMessage());
                return;
            }
        }
    }

    /** Whether a lease set at {@code leasedAt} has more than half of it left: enough to begin a step in memory. */
    private boolean leaseFresh(Instant leasedAt) {
        return Duration.between(leasedAt, Instant.now()).compareTo(config.lease().dividedBy(2)) < 0;
    }

    private boolean sideEffectFree(Definition definition, int index) {
        return actions.require(definition.actions().get(index).path("type").asText()).sideEffectFree();
    }

    /** Marks the claimed execution's current step running (attempt + 1); null when the claim is gone (taken over, cancelled). */
    private Begun begin(Begun execution, String owner) throws Exception {
        try (Connection db = dataSource.getConnection()) {
            // Locks the row if the claim still holds.
            if (execute(db, """
                    UPDATE executions SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
                    WHERE id = ? AND lease_owner = ? AND current_step = ? AND status IN ('queued', 'running')""",
                    execution.id(), owner, execution.index()) == 0) {
                return null;
            }
            return markRunning(db, execution, execution.index(), execution.context());
        }
    }

    /** The step at {@code index} as begun, without writing anything: for a side-effect-free step. */
    private static Begun inMemory(Begun execution, int index, Map<String, Object> context) {
        JsonNode action = execution.definition().actions().get(index);
        return new Begun(execution.id(), execution.orgId(), execution.workflowId(), index, execution.stepCount(), action.path("type").asText(), action,
                execution.definition().configs().get(index), context, 0, false, execution.secretCiphertext(), execution.createdAt(),
                execution.definition());
    }

    /** The step at {@code index} is running (attempt + 1, its input stored), in the caller's transaction. */
    private Begun markRunning(Connection db, Begun execution, int index, Map<String, Object> context) throws Exception {
        JsonNode action = execution.definition().actions().get(index);
        int attempts;
        try (PreparedStatement mark = db.prepareStatement("""
                UPDATE execution_steps SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, input = ?
                WHERE execution_id = ? AND step_index = ? RETURNING attempts""")) {
            mark.setString(1, execution.definition().configJson().get(index));
            mark.setObject(2, execution.id());
            mark.setInt(3, index);
            try (ResultSet row = mark.executeQuery()) {
                row.next();
                attempts = row.getInt(1);
            }
        }
        return new Begun(execution.id(), execution.orgId(), execution.workflowId(), index, execution.stepCount(), action.path("type").asText(), action,
                execution.definition().configs().get(index), context, attempts, true, execution.secretCiphertext(), execution.createdAt(),
                execution.definition());
    }

    /** A step's output into the execution's data: {@code steps[index]}, and the record it passes on. */
    private static void applyOutput(Map<String, Object> context, int index, StepResult result) {
        @SuppressWarnings("unchecked")
        List<Object> outputs = context.get("steps") instanceof List<?> list ? new ArrayList<>((List<Object>) list) : new ArrayList<>();
        while (outputs.size() <= index) {
            outputs.add(null);
        }
        outputs.set(index, result.output());
        context.put("steps", outputs);
        if (result.record() != null) {
            context.put("record", result.record());
        }
    }

    /**
     * Records a failed attempt (after the side-effect-free steps done in memory before it, {@code done}), in the caller's
     * transaction: the execution stays at the failed step, due again after the retry's backoff, or fails.
     */
    private Begun recordFailure(Begun step, List<Done> done, Instant startedAt, String owner, StepFailure failure) throws Exception {
        int first = done.isEmpty() ? step.index() : done.getFirst().index();
        try (Connection db = dataSource.getConnection()) {
            String executionId = TypeId.format(Execution.ID_PREFIX, step.id());
            // Still ours, still at the first step recorded here: otherwise another replica took over (this one was too slow) and decides.
            try (PreparedStatement lock = db.prepareStatement(
                    "SELECT 1 FROM executions WHERE id = ? AND lease_owner = ? AND current_step = ? AND status IN ('queued', 'running') FOR UPDATE")) {
                lock.setObject(1, step.id());
                lock.setString(2, owner);
                lock.setInt(3, first);
                try (ResultSet row = lock.executeQuery()) {
                    if (!row.next()) {
                        return dropped(step);
                    }
                }
            }
            recordDone(db, step.id(), done);
            Actions.Retry retry = Actions.retry(step.action(), "actions[" + step.index() + "]");
            Map<String, Object> error = Map.of("code", failure.code(), "message", failure.getMessage());
            int attempts = updateStep(db, step, startedAt, "failed", null, null, error);
            boolean again = failure.retryable() && attempts < retry.maxAttempts();
            if (again) {
                execute(db, "UPDATE execution_steps SET status = 'retrying' WHERE execution_id = ? AND step_index = ?", step.id(), step.index());
            }
            // The execution stands at the failed step (a retry, the API's too, resumes there), with the outputs of the steps before it.
            String context = done.isEmpty() ? null : json.writeValueAsString(step.context());
            if (again) {
                Duration backoff = retry.after(attempts);
                execute(db, """
                        UPDATE executions SET due_at = ?, lease_owner = NULL, current_step = ?, context = coalesce(?, context), updated_at = now(),
                               started_at = coalesce(started_at, now())
                        WHERE id = ?""", Timestamps.timestamp(Instant.now().plus(backoff)), step.index(), context, step.id());
                Log.infof("event=step_retrying execution_id=%s step=%d type=%s attempt=%d retry_in_ms=%d code=%s", executionId, step.index(),
                        step.type(), attempts, backoff.toMillis(), failure.code());
                return null;
            }
            execute(db, """
                    UPDATE executions SET status = 'failed', error = ?, due_at = NULL, lease_owner = NULL, current_step = ?, context = coalesce(?, context),
                           started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now()
                    WHERE id = ?""", json.writeValueAsString(error), step.index(), context, step.id());
            Map<String, Object> event = finished(step, "failed", counts(step, step.index(), 1, 0));
            event.put("failed_at", Instant.now().toString());
            event.put("failed_step", Map.of("index", step.index(), "type", step.type()));
            event.put("error", error);
            outbox.publish(DomainEvent.of(Topics.WORKFLOWS, "workflow.failed", executionId, event));
            Log.infof("event=execution_failed execution_id=%s step=%d type=%s attempts=%d code=%s", executionId, step.index(), step.type(),
                    attempts, failure.code());
            return null;
        }
    }

    /**
     * Records a successful attempt (after the side-effect-free steps done in memory before it, {@code done}) and moves the
     * execution on, in one statement that commits on its own (no transaction around it, one round trip):
     * <ul>
     *   <li>the execution's move, guarded by the claim (still ours, still at the first step recorded here, not
     *       cancelled): its first change, which takes the row's lock first, as every writer of an execution does; no row
     *       means another replica took over (or the execution was cancelled) and decides, and nothing of this is written;</li>
     *   <li>the outcomes of the steps done in memory and of this one;</li>
     *   <li>as the case may be: the next step marked running (attempt + 1) when it has side effects and runs now, the
     *       steps after a stop skipped, {@code workflow.completed} in the outbox.</li>
     * </ul>
     * Returns the next step begun, or null.
     */
    private Begun recordSuccess(Begun step, List<Done> done, Instant startedAt, String owner, StepResult result, boolean beginNext) throws Exception {
        int first = done.isEmpty() ? step.index() : done.getFirst().index();
        Map<String, Object> context = step.context();
        applyOutput(context, step.index(), result);
        int next = step.index() + 1;
        boolean last = next >= step.stepCount() || result.stop();
        boolean waiting = !last && result.resumeAt() != null;
        boolean markNext = !last && !waiting && beginNext && !sideEffectFree(step.definition(), next);
        String executionId = TypeId.format(Execution.ID_PREFIX, step.id());
        StringBuilder sql = new StringBuilder(512).append("WITH e AS (UPDATE executions SET current_step = ?, updated_at = now(), ")
                .append("started_at = coalesce(started_at, now()), ");
        if (last) {
            // The context is what steps still to run read: a finished execution has none, so it is not written again.
            sql.append("status = 'succeeded', due_at = NULL, lease_owner = NULL, finished_at = now()");
        } else if (waiting) {
            sql.append("status = 'waiting', context = ?, due_at = ?, lease_owner = NULL");
        } else {
            sql.append("status = 'running', context = ?, due_at = now() + make_interval(secs => ?)");
        }
        sql.append(" WHERE id = ? AND lease_owner = ? AND current_step = ? AND status IN ('queued', 'running') RETURNING id)")
                .append(", d AS (UPDATE execution_steps s SET status = 'succeeded', attempts = s.attempts + v.attempt, input = coalesce(v.input, s.input),")
                .append(" output = v.output, warnings = v.warnings, error = NULL, started_at = coalesce(v.started, s.started_at),")
                .append(" finished_at = coalesce(v.finished, now()) FROM e, (VALUES ");
        for (int i = 0; i <= done.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?::int, ?::int, ?::text, ?::text, ?::text, ?::timestamptz, ?::timestamptz)");
        }
        sql.append(") AS v (step_index, attempt, input, output, warnings, started, finished) WHERE s.execution_id = e.id AND s.step_index = v.step_index)");
        if (last && result.stop()) {
            sql.append(", k AS (UPDATE execution_steps SET status = 'skipped' WHERE execution_id IN (SELECT id FROM e) AND step_index > ?)");
        }
        if (last) {
            sql.append(", o AS (INSERT INTO outbox (").append(Outbox.ROW_COLUMNS).append(") SELECT ").append(Outbox.ROW_PLACEHOLDERS).append(" FROM e)");
        }
        if (markNext) {
            sql.append(", m AS (UPDATE execution_steps SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, input = ?")
                    .append(" WHERE execution_id IN (SELECT id FROM e) AND step_index = ? RETURNING attempts)");
        }
        sql.append(" SELECT (SELECT count(*) FROM e)").append(markNext ? ", (SELECT attempts FROM m)" : "");
        int attempts = 0;
        try (Connection db = dataSource.getConnection(); PreparedStatement statement = db.prepareStatement(sql.toString())) {
            int i = 1;
            statement.setInt(i++, next);
            if (waiting) {
                statement.setString(i++, json.writeValueAsString(context));
                statement.setObject(i++, Timestamps.timestamp(result.resumeAt()));
            } else if (!last) {
                statement.setString(i++, json.writeValueAsString(context));
                statement.setDouble(i++, config.lease().toMillis() / 1000.0);
            }
            statement.setObject(i++, step.id());
            statement.setString(i++, owner);
            statement.setInt(i++, first);
            for (Done d : done) {
                i = bindStep(statement, i, d.index(), 1, d.configJson(), d.output(), d.warnings(), d.startedAt(), d.finishedAt());
            }
            // A step begun in memory (side-effect-free) has its attempt counted, its input and start written here; a marked
            // one has them already. Finished now, by the database's clock.
            i = bindStep(statement, i, step.index(), step.marked() ? 0 : 1, step.marked() ? null : step.definition().configJson().get(step.index()),
                    result.output(), result.warnings(), step.marked() ? null : startedAt, null);
            if (last && result.stop()) {
                statement.setInt(i++, step.index());
            }
            if (last) {
                Map<String, Object> event = finished(step, "succeeded", counts(step, next, 0, result.stop() ? step.stepCount() - next : 0));
                event.put("completed_at", Instant.now().toString());
                if (result.stop()) {
                    event.put("stopped_at_step", step.index());
                }
                i = outbox.bindRow(statement, i, DomainEvent.of(Topics.WORKFLOWS, "workflow.completed", executionId, event));
            }
            if (markNext) {
                statement.setString(i++, step.definition().configJson().get(next));
                statement.setInt(i++, next);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                if (row.getInt(1) == 0) {
                    return dropped(step);
                }
                if (markNext) {
                    attempts = row.getInt(2);
                }
            }
        }
        if (last) {
            outbox.written();
            Log.infof("event=execution_completed execution_id=%s steps=%d stopped=%s", executionId, next, result.stop());
            return null;
        }
        if (waiting || !beginNext) {
            return null;
        }
        if (!markNext) {
            return inMemory(step, next, context);
        }
        JsonNode action = step.definition().actions().get(next);
        return new Begun(step.id(), step.orgId(), step.workflowId(), next, step.stepCount(), action.path("type").asText(), action,
                step.definition().configs().get(next), context, attempts, true, step.secretCiphertext(), step.createdAt(), step.definition());
    }

    /** One row of a success's step outcomes: (index, attempts to add, input, output, warnings, started, finished); null keeps or takes now. */
    private int bindStep(PreparedStatement statement, int i, int index, int attempt, String input, Object output, List<String> warnings, Instant started,
                         Instant finished) throws Exception {
        statement.setInt(i++, index);
        statement.setInt(i++, attempt);
        statement.setString(i++, input);
        statement.setString(i++, output == null ? null : json.writeValueAsString(output));
        statement.setString(i++, warnings == null || warnings.isEmpty() ? null : json.writeValueAsString(warnings));
        // An OffsetDateTime binds without pgjdbc's Calendar-based Timestamp formatting.
        statement.setObject(i++, Timestamps.timestamp(started), Types.TIMESTAMP_WITH_TIMEZONE);
        statement.setObject(i++, Timestamps.timestamp(finished), Types.TIMESTAMP_WITH_TIMEZONE);
        return i;
    }

    private static Begun dropped(Begun step) {
        Log.infof("event=step_result_dropped execution_id=%s step=%d reason=claim_lost", TypeId.format(Execution.ID_PREFIX, step.id()), step.index());
        return null;
    }

    /** The side-effect-free steps done in memory: succeeded, one attempt each, in one round trip. */
    private void recordDone(Connection db, UUID id, List<Done> done) throws Exception {
        if (done.isEmpty()) {
            return;
        }
        try (PreparedStatement update = db.prepareStatement("""
                UPDATE execution_steps SET status = 'succeeded', attempts = attempts + 1, input = ?, output = ?, warnings = ?, error = NULL,
                       started_at = ?, finished_at = ?
                WHERE execution_id = ? AND step_index = ?""")) {
            for (Done step : done) {
                update.setString(1, step.configJson());
                update.setString(2, step.output() == null ? null : json.writeValueAsString(step.output()));
                update.setString(3, step.warnings() == null || step.warnings().isEmpty() ? null : json.writeValueAsString(step.warnings()));
                // An OffsetDateTime binds without pgjdbc's Calendar-based Timestamp formatting (6% of a record's CPU).
                update.setObject(4, Timestamps.timestamp(step.startedAt()));
                update.setObject(5, Timestamps.timestamp(step.finishedAt()));
                update.setObject(6, id);
                update.setInt(7, step.index());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /**
     * The step's outcome on its row; returns its attempts. A step begun in memory (side-effect-free) has its attempt
     * counted, its input and start written here.
     */
    private int updateStep(Connection db, Begun step, Instant startedAt, String status, Object output, List<String> warnings, Map<String, Object> error)
            throws Exception {
        try (PreparedStatement update = db.prepareStatement("""
                UPDATE execution_steps SET status = ?, output = ?, warnings = ?, error = ?, finished_at = now(), attempts = attempts + ?,
                       input = coalesce(?, input), started_at = coalesce(?, started_at)
                WHERE execution_id = ? AND step_index = ? RETURNING attempts""")) {
            update.setString(1, status);
            update.setString(2, output == null ? null : json.writeValueAsString(output));
            update.setString(3, warnings == null || warnings.isEmpty() ? null : json.writeValueAsString(warnings));
            update.setString(4, error == null ? null : json.writeValueAsString(error));
            update.setInt(5, step.marked() ? 0 : 1);
            update.setString(6, step.marked() ? null : step.definition().configJson().get(step.index()));
            update.setObject(7, step.marked() ? null : Timestamps.timestamp(startedAt), Types.TIMESTAMP_WITH_TIMEZONE);
            update.setObject(8, step.id());
            update.setInt(9, step.index());
            try (ResultSet row = update.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
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

    /** Runs an update; returns the rows it changed. */
    static int execute(Connection db, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }
}
