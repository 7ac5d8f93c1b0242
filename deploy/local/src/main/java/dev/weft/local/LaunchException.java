package dev.weft.local;

/**
 * A failure the person running {@code bin/weft up} can act on. Its message is printed as is, so it
 * always says what went wrong and what to do next; no stack trace is shown for it.
 */
public final class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
