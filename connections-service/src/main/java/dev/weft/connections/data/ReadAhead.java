package dev.weft.connections.data;

import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connector.RecordPage;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The internal read's next batch, read while the batch before it travels to sync-service and is decoded there. A sync
 * run reads one batch after another, each after the cursor the one before it answered, so the source's query and
 * sync-service's handling of the answer took turns; now, once a batch's answer is made, the batch after its cursor is
 * read at once (where the connector says such a read is cheap and harmless: {@code Connector.readsAhead}), and the run's
 * next request takes it instead of reading.
 *
 * <p>Only the connector's read is taken from here: every request is still checked (the connection in the caller's org,
 * the object, fields and cursor), and a read ahead is used only by a request that names the same connection, its
 * configuration and credentials unchanged since, the same object, fields, batch size and (opened) cursor, within
 * {@code read-ahead-ttl}. A read ahead is what that request would have read a few milliseconds earlier: the reads of a
 * run stay in order, and a change made after it is read by a later batch, as for any read. A failed read ahead is
 * dropped and the request reads itself (and so meets the failure itself). At most {@code read-ahead-pages} batches are
 * held, on this replica; a request that lands on another one reads as before.
 */
@ApplicationScoped
public class ReadAhead {
    private static final ExecutorService THREADS = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("read-ahead-", 0).factory());

    /**
     * What a read ahead answers: the request's connection with its configuration and (sealed) credentials as they were,
     * and its connector read.
     */
    public record Key(String orgId, String connectionId, String config, String credentials, String scope, String object, List<String> fields,
                      String cursor, int batchSize) {
    }

    private record Pending(Future<RecordPage> page, long startedAt) {
    }

    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
    private final int maxPages;
    private final long ttlNanos;

    public ReadAhead(ConnectionsConfig config) {
        this.maxPages = config.data().readAheadPages();
        this.ttlNanos = config.data().readAheadTtl().toNanos();
    }

    /** The read ahead for {@code key}, waited for if it is still running; empty when there is none, or it is stale or failed. */
    public Optional<RecordPage> take(Key key) {
        Pending found = pending.remove(key);
        if (found == null) {
            return Optional.empty();
        }
        if (stale(found, System.nanoTime())) {
            // Left to finish, never interrupted: an interrupt closes a virtual thread's socket, and with it the pooled
            // database connection the read holds.
            found.page().cancel(false);
            return Optional.empty();
        }
        try {
            return Optional.of(found.page().get());
        } catch (ExecutionException e) {
            // The request reads itself, and meets the failure (or not) on its own.
            Log.debugf("event=read_ahead_failed connection_id=%s message=\"%s\"", key.connectionId(), e.getCause());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Starts {@code read} for {@code key} unless this replica already holds as many read-ahead batches as it may. */
    public void start(Key key, Callable<RecordPage> read) {
        if (maxPages <= 0) {
            return;
        }
        long now = System.nanoTime();
        pending.entrySet().removeIf(entry -> {
            if (stale(entry.getValue(), now)) {
                entry.getValue().page().cancel(false);
                return true;
            }
            return false;
        });
        if (pending.size() >= maxPages) {
            return;
        }
        pending.computeIfAbsent(key, k -> new Pending(THREADS.submit(read), now));
    }

    /** Read-ahead batches held now for a connection (for tests). */
    long heldFor(String connectionId) {
        return pending.keySet().stream().filter(key -> key.connectionId().equals(connectionId)).count();
    }

    private boolean stale(Pending found, long now) {
        return now - found.startedAt() > ttlNanos;
    }
}
