package dev.weft.connections.capture;

/** The source cannot stream as configured; the message says what to change (it becomes the stream's status reason). */
public class CaptureRefused extends RuntimeException {
    public CaptureRefused(String reason) {
        super(reason);
    }

    public CaptureRefused(String reason, Throwable cause) {
        super(reason, cause);
    }
}
