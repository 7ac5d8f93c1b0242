package dev.weft.platform.http.outbound;

import dev.weft.platform.http.outbound.OutboundOutcome.Failure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The state of one send: its outcome, the request in flight (to abort it on timeout) and the response excerpt.
 * Callbacks may come from the timer's thread and the connection's event loop, hence the lock; the outcome is
 * completed outside the lock so that the caller's continuations never run while holding it.
 */
final class OutboundExchange {

    static final int EXCERPT_BYTES = 4096;
    /** Bodies up to this size are read to the end so the connection can be reused; larger ones close it. */
    static final int DRAIN_LIMIT_BYTES = 64 * 1024;

    private final long startedNanos = System.nanoTime();
    private final CompletableFuture<OutboundOutcome> outcome = new CompletableFuture<>();
    private final Runnable onFinished;

    private HttpClientRequest request;
    private boolean finished;
    private int status;
    private String retryAfter;
    private Buffer excerpt;
    private long bodyBytes;

    OutboundExchange(Runnable onFinished) {
        this.onFinished = onFinished;
    }

    CompletableFuture<OutboundOutcome> outcome() {
        return outcome;
    }

    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    boolean isDone() {
        return outcome.isDone();
    }

    /** Keeps the request so a timeout can abort it; false (and the request is reset) when the send is over. */
    boolean attach(HttpClientRequest inFlight) {
        synchronized (this) {
            if (!finished) {
                request = inFlight;
                return true;
            }
        }
        inFlight.reset();
        return false;
    }

    void fail(Failure failure, String error) {
        OutboundOutcome failed = OutboundOutcome.failed(failure, elapsedMillis(), error);
        if (finish(false)) {
            outcome.complete(failed);
        }
    }

    void timedOut(long timeoutMillis) {
        int statusSoFar;
        synchronized (this) {
            statusSoFar = status;
        }
        if (!finish(true)) {
            return;
        }
        if (statusSoFar == 0) {
            outcome.complete(OutboundOutcome.failed(Failure.TIMEOUT, elapsedMillis(),
                    "no response within " + timeoutMillis + " ms"));
        } else {
            // the status arrived but the body did not end in time: the response is still the outcome
            completeWithResponse();
        }
    }

    void responded(HttpClientResponse response) {
        synchronized (this) {
            status = response.statusCode();
            retryAfter = response.getHeader("Retry-After");
            excerpt = Buffer.buffer(256);
        }
        response.handler(this::bodyChunk);
        response.endHandler(ignored -> {
            finish(false);
            completeWithResponse();
        });
        response.exceptionHandler(ignored -> {
            // the connection broke while reading the body: the status is still what the endpoint answered
            finish(false);
            completeWithResponse();
        });
    }

    private void bodyChunk(Buffer chunk) {
        boolean excerptFull;
        boolean tooLong;
        synchronized (this) {
            if (excerpt.length() < EXCERPT_BYTES) {
                int take = Math.min(chunk.length(), EXCERPT_BYTES - excerpt.length());
                excerpt.appendBuffer(chunk, 0, take);
            }
            bodyBytes += chunk.length();
            excerptFull = excerpt.length() >= EXCERPT_BYTES;
            tooLong = bodyBytes > DRAIN_LIMIT_BYTES;
        }
        if (excerptFull) {
            completeWithResponse();
        }
        if (tooLong) {
            finish(true);
        }
    }

    private void completeWithResponse() {
        if (outcome.isDone()) {
            return;
        }
        OutboundOutcome response;
        synchronized (this) {
            response = OutboundOutcome.response(status, elapsedMillis(), utf8(excerpt), retryAfter);
        }
        outcome.complete(response);
    }

    /**
     * Ends the exchange once: stops the timer and, when asked to, aborts the request in flight (which closes its
     * connection rather than returning it to the pool).
     *
     * @return whether this call ended it
     */
    private boolean finish(boolean abort) {
        HttpClientRequest toReset;
        synchronized (this) {
            if (finished) {
                return false;
            }
            finished = true;
            toReset = abort ? request : null;
            request = null;
        }
        onFinished.run();
        if (toReset != null) {
            toReset.reset();
        }
        return true;
    }

    /** UTF-8 text of the excerpt, without a multi-byte character cut in half at its end. */
    static String utf8(Buffer bytes) {
        if (bytes == null) {
            return "";
        }
        byte[] raw = bytes.getBytes();
        int end = raw.length;
        if (end == EXCERPT_BYTES) {
            end = completeSequencesEnd(raw);
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    private static int completeSequencesEnd(byte[] raw) {
        int lead = raw.length - 1;
        // step back over at most 3 continuation bytes (10xxxxxx) to the start of the last character
        while (lead > 0 && raw.length - lead < 4 && (raw[lead] & 0xC0) == 0x80) {
            lead--;
        }
        int b = raw[lead] & 0xFF;
        int length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return lead + length <= raw.length ? raw.length : lead;
    }
}
