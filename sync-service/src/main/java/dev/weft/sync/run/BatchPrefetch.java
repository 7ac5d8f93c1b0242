package dev.weft.sync.run;

import dev.weft.platform.concurrent.Tasks;
import dev.weft.platform.events.Failures;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * A run's batches read and prepared ahead of its writer. One virtual thread reads the source's batches in order (each
 * read needs the cursor the one before it returned) and hands each to a thread of its own to filter, map and transform
 * while the writer works; {@link #next} gives them in order. It reads a fixed number of batches beyond those the writer
 * has taken ({@code weft.sync.read-ahead}), so memory holds the batches being written and those, whatever the run's size.
 * Reading and preparing change nothing: batches prepared and never taken (the run stopped) are dropped.
 */
final class BatchPrefetch<P> implements AutoCloseable {
    private static final ExecutorService THREADS = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sync-ahead-", 0).factory());

    /**
     * A batch as the source answered it: its records, the cursor after them, whether the source has more after it, and
     * how long reading it took.
     */
    /** {@code from}: the cursor the page was read after (null at the source's start); {@code next}: the cursor after it. */
    record Page(List<Map<String, Object>> records, String from, String next, boolean more, long readNanos) {
    }

    /** Prepares a page read; {@code index} is its place in this run's reads (0 for the first). */
    interface Prepare<P> {
        P apply(Page page, long index);
    }

    private final BlockingQueue<Future<P>> ready = new LinkedBlockingQueue<>();
    /** Batches read ahead of those the writer has taken: each read takes a permit, each batch taken gives one back. */
    private final Semaphore room;
    private final Future<?> reader;
    private boolean ended;

    private BatchPrefetch(String cursor, int ahead, Function<String, Page> read, Prepare<P> prepare) {
        this.room = new Semaphore(ahead);
        this.reader = start(() -> {
            readAll(cursor, read, prepare);
            return null;
        });
    }

    /**
     * Starts reading after {@code cursor} (null: from the start), as the calling thread's org, up to {@code ahead}
     * batches beyond those taken.
     */
    static <P> BatchPrefetch<P> start(String cursor, int ahead, Function<String, Page> read, Prepare<P> prepare) {
        return new BatchPrefetch<>(cursor, ahead, read, prepare);
    }

    private void readAll(String cursor, Function<String, Page> read, Prepare<P> prepare) throws InterruptedException {
        long index = 0;
        try {
            while (true) {
                room.acquire();
                Page page = read.apply(cursor);
                long at = index++;
                ready.put(start(() -> prepare.apply(page, at)));
                if (!page.more()) {
                    ready.put(CompletableFuture.completedFuture(null));
                    return;
                }
                cursor = page.next();
            }
        } catch (RuntimeException | Error e) {
            // Handed to the writer in its place, to be thrown as if it had read the batch itself.
            ready.put(CompletableFuture.failedFuture(e));
        }
    }

    /**
     * The next batch in order, waiting for it; null once the source has no more. Throws what reading or preparing it
     * threw.
     */
    P next() {
        if (ended) {
            return null;
        }
        Future<P> waiting;
        try {
            waiting = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failures.Transient("interrupted while waiting for a batch to be read", e);
        }
        try {
            P batch = take(waiting);
            ended = batch == null;
            room.release();
            return batch;
        } catch (RuntimeException | Error e) {
            ended = true;
            throw e;
        }
    }

    /** Stops reading; what was read or prepared and not taken is dropped. */
    @Override
    public void close() {
        reader.cancel(true);
        for (Future<P> waiting; (waiting = ready.poll()) != null; ) {
            waiting.cancel(true);
        }
    }

    /**
     * Runs {@code work} on a virtual thread of its own as the calling thread's org (the tenant context and the trace are
     * per thread, so both are carried over).
     */
    static <T> Future<T> start(Callable<T> work) {
        RequestPrincipal principal = TenantContext.require();
        Callable<T> asOrg = () -> TenantContext.callAs(principal, work);
        return THREADS.submit(io.opentelemetry.context.Context.current().wrap(asOrg));
    }

    /**
     * Waits for {@code work} and throws what it threw, as if it had run on the calling thread. Interrupted (the replica
     * stopping), the run is handed back as after a transient failure, to resume from its last checkpoint.
     */
    static <T> T take(Future<T> work) {
        try {
            return work.get();
        } catch (ExecutionException e) {
            throw Tasks.failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failures.Transient("interrupted while waiting for a batch to be read or written", e);
        }
    }
}
