package dev.weft.platform.db;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.MDC;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Group commit: short transactions of one org that arrive together (webhook deliveries, sends) run as one transaction
 * and commit once. PostgreSQL then pays one transaction (its snapshot, commit record and WAL flush) and this JVM one
 * JTA transaction, one Hibernate session and one pooled connection for the group, instead of one each.
 *
 * <p>Each lane (an org: Hibernate's tenant is fixed per session) runs at most {@code max-in-flight} groups at a time.
 * Work arriving while they run waits; when a group commits, the oldest waiting unit leads the next group and takes
 * with it everything waiting, up to {@code max-batch}. At low load a unit runs at once, alone: no added latency.
 * Within a group each unit runs on the leader's thread under its own submitter's tenant principal, trace context and
 * log context, in the order given by its {@code order} key (the same order in every group, so two groups locking the
 * same rows take them in the same order).
 *
 * <p>Each caller gets its result only once the group has committed. If any unit of a group throws, or the commit
 * fails, the group rolls back whole and every unit runs again in a transaction of its own, on its own thread: a
 * failure (a 400, a deadlock to retry) is then its own caller's, and the others do not see it.
 */
@ApplicationScoped
public class GroupCommit {
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Set while this thread runs work holding a place in a lane (a group of one or more). */
    private static final ThreadLocal<Boolean> IN_GROUP = new ThreadLocal<>();
    private final int maxBatch;
    private final int maxInFlight;

    @Inject
    public GroupCommit(PlatformConfig config) {
        this(config.groupCommit().maxBatch(), config.groupCommit().maxInFlight());
    }

    GroupCommit(int maxBatch, int maxInFlight) {
        this.maxBatch = maxBatch;
        this.maxInFlight = Math.max(1, maxInFlight);
    }

    /**
     * Runs {@code work} in a transaction, shared with other work of the same {@code lane} submitted meanwhile, and
     * returns its result once that transaction committed. {@code work} must need nothing of its thread but the tenant
     * principal, the trace and the log context, and must be safe to run twice (the second time after a rollback).
     * With {@code max-batch} 1 this is {@code QuarkusTransaction.requiringNew().call(work)}.
     */
    public <T> T call(String lane, String order, Callable<T> work) {
        if (maxBatch <= 1 || IN_GROUP.get() != null) {
            // Called from a unit running in a group: waiting for a lane here could wait on a group that waits for this
            // one. A transaction of its own, as without group commit.
            return QuarkusTransaction.requiringNew().call(work);
        }
        Unit<T> unit = new Unit<>(order, work);
        Lane queue = lanes.computeIfAbsent(lane, l -> new Lane());
        boolean lead;
        synchronized (queue) {
            lead = queue.running < maxInFlight;
            if (lead) {
                queue.running++;
            } else {
                queue.waiting.add(unit);
            }
        }
        if (!lead) {
            Signal signal = await(unit.signal);
            if (signal == Signal.DONE) {
                return unit.result;
            }
            if (signal == Signal.ALONE) {
                return QuarkusTransaction.requiringNew().call(work);
            }
        }
        List<Unit<?>> group = new ArrayList<>();
        group.add(unit);
        synchronized (queue) {
            while (group.size() < maxBatch && !queue.waiting.isEmpty()) {
                group.add(queue.waiting.poll());
            }
        }
        if (group.size() == 1) {
            IN_GROUP.set(Boolean.TRUE);
            try {
                return QuarkusTransaction.requiringNew().call(work);
            } finally {
                IN_GROUP.remove();
                handOn(lane, queue);
            }
        }
        group.sort((a, b) -> a.order.compareTo(b.order));
        boolean committed = false;
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                for (Unit<?> each : group) {
                    each.runInGroup();
                }
            });
            committed = true;
        } catch (RuntimeException e) {
            // Rolled back whole: every unit runs again by itself (below for this one, the others on their threads).
            Log.debugf("event=group_commit_rolled_back lane=%s units=%d reason=\"%s\"", lane, group.size(), e.toString());
        } finally {
            handOn(lane, queue);
            for (Unit<?> each : group) {
                if (each != unit) {
                    each.signal.complete(committed ? Signal.DONE : Signal.ALONE);
                }
            }
        }
        return committed ? unit.result : QuarkusTransaction.requiringNew().call(work);
    }

    /** How many units wait in a lane (for tests). */
    int waiting(String lane) {
        Lane queue = lanes.get(lane);
        if (queue == null) {
            return 0;
        }
        synchronized (queue) {
            return queue.waiting.size();
        }
    }

    /**
     * This group is done: the oldest waiting unit leads the next one, or the lane has one group fewer running. An idle
     * lane is dropped (an org is a lane only while it has work): a unit that found it just before takes it anyway,
     * and the org may then briefly have two lanes, each within its own limit.
     */
    private void handOn(String lane, Lane queue) {
        Unit<?> next;
        synchronized (queue) {
            next = queue.waiting.poll();
            if (next == null) {
                queue.running--;
                if (queue.running == 0) {
                    lanes.remove(lane, queue);
                }
            }
        }
        if (next != null) {
            next.signal.complete(Signal.LEAD);
        }
    }

    private static Signal await(CompletableFuture<Signal> signal) {
        try {
            return signal.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a group commit", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private enum Signal {
        /** Committed in a group: the result is there. */
        DONE,
        /** The group rolled back: run alone. */
        ALONE,
        /** Lead the next group. */
        LEAD
    }

    private static final class Lane {
        final ArrayDeque<Unit<?>> waiting = new ArrayDeque<>();
        int running;
    }

    private static final class Unit<T> {
        final String order;
        final Callable<T> work;
        final CompletableFuture<Signal> signal = new CompletableFuture<>();
        final RequestPrincipal principal = TenantContext.current().orElse(null);
        final Context trace = Context.current();
        final Map<String, Object> log = MDC.getMap();
        T result;

        Unit(String order, Callable<T> work) {
            this.order = order == null ? "" : order;
            this.work = work;
        }

        /** Runs the work on the group's thread as if on its own: its principal, trace and log context. */
        void runInGroup() {
            Map<String, Object> leaderLog = MDC.getMap();
            IN_GROUP.set(Boolean.TRUE);
            try (Scope ignored = trace.makeCurrent()) {
                MDC.clear();
                log.forEach(MDC::put);
                result = principal == null ? work.call() : TenantContext.callAs(principal, work);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                IN_GROUP.remove();
                MDC.clear();
                leaderLog.forEach(MDC::put);
            }
        }
    }
}
