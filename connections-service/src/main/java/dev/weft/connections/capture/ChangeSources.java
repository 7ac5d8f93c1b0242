package dev.weft.connections.capture;

/**
 * A kind of change capture, found through CDI: the database's own log for SQL providers, polling by modification time
 * for SaaS ones. Adding a source touches no other class.
 */
public interface ChangeSources {

    /** Whether this kind captures changes of the provider's connections. */
    boolean supports(String provider);

    /** {@value Stream#LOG} or {@value Stream#POLL}. */
    String kind();

    /**
     * Checks that the stream can run (the database's settings, the user's grants) and prepares it: throws
     * {@link CaptureRefused} with a reason a user can act on when it cannot.
     */
    ChangeSource open(CaptureContext context);

    /** Removes what the source created in the external system for the stream (a replication slot, a publication). */
    default void cleanUp(CaptureContext context) {
    }
}
