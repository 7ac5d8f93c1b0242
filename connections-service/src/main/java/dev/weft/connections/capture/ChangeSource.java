package dev.weft.connections.capture;

/** A running capture of one stream; it works on threads of its own between {@link #start} and {@link #close}. */
public interface ChangeSource extends AutoCloseable {

    /** Begins capturing; returns at once. Failures are reported through {@link CaptureContext#failed}. */
    void start();

    /** Stops capturing and waits for the work in flight to end. */
    @Override
    void close();
}
