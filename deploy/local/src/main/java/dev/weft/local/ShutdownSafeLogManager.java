package dev.weft.local;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager closes every log handler from its own shutdown hook, racing the launcher's
 * hook, so Kafka's and PostgreSQL's shutdown lines would never reach their log files. This one
 * ignores that reset; LogFiles closes its handlers itself once everything has stopped.
 * Installed by Main through {@code java.util.logging.manager} before anything logs.
 */
public final class ShutdownSafeLogManager extends LogManager {
    @Override
    public void reset() {
        if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
            return;
        }
        super.reset();
    }
}
