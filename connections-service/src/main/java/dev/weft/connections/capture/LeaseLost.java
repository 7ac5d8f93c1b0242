package dev.weft.connections.capture;

/** This replica no longer holds the stream (another took it over, or it was paused or deleted): stop without committing. */
public class LeaseLost extends RuntimeException {
    public LeaseLost(String streamId) {
        super("stream " + streamId + " is no longer held by this replica");
    }
}
