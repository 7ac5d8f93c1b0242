package dev.weft.connections.capture.poll;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.Change;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The one part of polling that differs per provider: asking its API what changed after a cursor. The cursor is the
 * stream's stored offsets ({@code at} and {@code id}, the last change handed over, plus whatever else the provider
 * needs); {@link PollingSource} runs the rounds, commits each page with its cursor and resumes from the stored one.
 */
public interface Poller {

    String provider();

    /** Refuses, with {@link dev.weft.connections.capture.CaptureRefused}, an object that cannot be polled. */
    default void check(CaptureContext context) {
    }

    /**
     * The cursor of a stream that starts now: changes after {@code from}, or every record when {@code from} is null (a
     * snapshot). May ask the API (where the record's own time is the only clock there is).
     */
    Map<String, String> start(CaptureContext context, Instant from);

    /**
     * One look for changes: everything after {@code cursor}, oldest first, handed to {@code sink} a page at a time with
     * the cursor after that page. Returns once caught up.
     */
    void poll(CaptureContext context, Map<String, String> cursor, Sink sink);

    /** Where a page's changes go; throws {@link dev.weft.connections.capture.LeaseLost} once the stream is no longer held here. */
    @FunctionalInterface
    interface Sink {
        void accept(List<Change> changes, Map<String, String> cursor);
    }

    /** The stream's {@code position} for a cursor: its time and id. */
    default String position(Map<String, String> cursor) {
        String at = cursor.getOrDefault(AT, "");
        String id = cursor.getOrDefault(ID, "");
        if (at.isEmpty()) {
            return "start";
        }
        return id.isEmpty() ? at : at + " " + id;
    }

    String AT = "at";
    String ID = "id";
}
