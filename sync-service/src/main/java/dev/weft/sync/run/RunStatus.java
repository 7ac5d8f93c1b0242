package dev.weft.sync.run;

import java.util.Set;

/** Where a run is: queued and running are active (one per sync at most); the rest are final. */
public final class RunStatus {
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String PARTIALLY_SUCCEEDED = "partially_succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final Set<String> ACTIVE = Set.of(QUEUED, RUNNING);

    private RunStatus() {
    }
}
