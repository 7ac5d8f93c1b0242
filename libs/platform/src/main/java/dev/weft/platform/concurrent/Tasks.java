package dev.weft.platform.concurrent;

import java.util.concurrent.ExecutionException;

/** What waiting on another thread's work needs everywhere. */
public final class Tasks {
    private Tasks() {
    }

    /**
     * The exception a task ended with, as its caller should see it: an unchecked exception to rethrow as it is, a checked
     * one wrapped; an error is rethrown from here. Use as {@code catch (ExecutionException e) { throw Tasks.failure(e); }}.
     */
    public static RuntimeException failure(ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
            return runtime;
        }
        if (e.getCause() instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e.getCause());
    }
}
