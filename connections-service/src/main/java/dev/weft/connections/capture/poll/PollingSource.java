package dev.weft.connections.capture.poll;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.CaptureRefused;
import dev.weft.connections.capture.Change;
import dev.weft.connections.capture.ChangeBatch;
import dev.weft.connections.capture.ChangeSource;
import dev.weft.connections.capture.LeaseLost;
import dev.weft.connections.capture.StreamStatus;
import dev.weft.connections.connector.ConnectorException;
import io.quarkus.logging.Log;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The polling loop of one stream, on a virtual thread of its own: every {@code poll_interval} it asks the provider's
 * {@link Poller} for what changed after the stored cursor and commits each page's events together with the cursor after
 * them, so a restart or another replica resumes exactly after the last committed page.
 *
 * <p>A new stream first stores its starting cursor (now, or the beginning for a snapshot), so a restart does not move
 * its start. While snapshotting (until the first round that catches up), records changed before the stream started are
 * published as {@code record.created} and records already deleted are skipped.
 */
final class PollingSource implements ChangeSource {
    /** Offset holding when a snapshot began (empty once it is over). */
    static final String SNAPSHOT_UNTIL = "snapshot_until";
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final CaptureContext context;
    private final Poller poller;
    private volatile boolean closing;
    private volatile Thread thread;

    PollingSource(CaptureContext context, Poller poller) {
        this.context = context;
        this.poller = poller;
    }

    @Override
    public void start() {
        thread = Thread.ofVirtual().name("poll-" + context.streamPublicId()).start(this::run);
    }

    private void run() {
        Map<String, String> cursor = context.offsets().isEmpty() ? null : new LinkedHashMap<>(context.offsets());
        StreamStatus reported = null;
        int failures = 0;
        while (!closing) {
            try {
                if (cursor == null) {
                    Instant now = Instant.now();
                    Map<String, String> start = new LinkedHashMap<>(poller.start(context, context.snapshot() ? null : now));
                    start.put(SNAPSHOT_UNTIL, context.snapshot() ? now.toString() : "");
                    context.publish(new ChangeBatch(List.of(), start, poller.position(start)));
                    cursor = start;
                }
                Instant snapshotUntil = instant(cursor.get(SNAPSHOT_UNTIL));
                StreamStatus status = snapshotUntil != null ? StreamStatus.SNAPSHOTTING : StreamStatus.STREAMING;
                if (status != reported) {
                    context.status(status);
                    reported = status;
                }
                // What was committed stays committed when the round fails later: the next round starts after it.
                Map<String, String>[] committed = new Map[]{cursor};
                try {
                    poller.poll(context, cursor, (changes, next) -> {
                        Map<String, String> offsets = new LinkedHashMap<>(next);
                        offsets.put(SNAPSHOT_UNTIL, snapshotUntil == null ? "" : snapshotUntil.toString());
                        context.publish(new ChangeBatch(snapshotUntil == null ? changes : snapshot(changes, snapshotUntil), offsets,
                                poller.position(offsets)));
                        committed[0] = offsets;
                    });
                } finally {
                    cursor = committed[0];
                }
                if (snapshotUntil != null) {
                    // Caught up with what was there when the stream started: from here on, changes are what they are.
                    Map<String, String> offsets = new LinkedHashMap<>(cursor);
                    offsets.put(SNAPSHOT_UNTIL, "");
                    context.publish(new ChangeBatch(List.of(), offsets, poller.position(offsets)));
                    cursor = offsets;
                }
                failures = 0;
            } catch (LeaseLost e) {
                return;
            } catch (CaptureRefused e) {
                context.failed(e.getMessage());
                return;
            } catch (ConnectorException e) {
                if (closing) {
                    return;
                }
                if (e.kind() == ConnectorException.Kind.AUTH || e.kind() == ConnectorException.Kind.INVALID) {
                    // Nothing a retry fixes: the credentials or the connection's config must change first.
                    context.failed(context.connector().provider() + " refused the poll: " + e.getMessage());
                    return;
                }
                failures++;
                Log.warnf("event=stream_poll_failed org_id=%s stream_id=%s attempt=%d message=\"%s\"", context.orgId(), context.streamPublicId(),
                        failures, e.getMessage());
            } catch (RuntimeException e) {
                if (closing) {
                    return;
                }
                failures++;
                Log.warnf(e, "event=stream_poll_failed org_id=%s stream_id=%s attempt=%d message=\"%s\"", context.orgId(), context.streamPublicId(),
                        failures, e.getMessage());
            }
            if (!pause(failures)) {
                return;
            }
        }
    }

    /** Waits for the next round (longer after failures, up to five minutes); false when closing. */
    private boolean pause(int failures) {
        Duration wait = context.pollInterval();
        for (int i = 0; i < failures && wait.compareTo(MAX_BACKOFF) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        if (wait.compareTo(MAX_BACKOFF) > 0 && failures > 0) {
            wait = MAX_BACKOFF;
        }
        try {
            Thread.sleep(wait);
            return !closing;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** While snapshotting: what was there before the stream started is new to its subscribers; what is gone never was. */
    private static List<Change> snapshot(List<Change> changes, Instant until) {
        List<Change> result = new ArrayList<>(changes.size());
        for (Change change : changes) {
            boolean before = change.committedAt() == null || !change.committedAt().isAfter(until);
            if (!before) {
                result.add(change);
            } else if (change.op() != Change.Op.DELETED) {
                result.add(new Change(Change.Op.CREATED, change.key(), change.record(), null, change.position(), change.committedAt()));
            }
        }
        return result;
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closing = true;
        Thread running = thread;
        if (running != null) {
            running.interrupt();
            try {
                running.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
