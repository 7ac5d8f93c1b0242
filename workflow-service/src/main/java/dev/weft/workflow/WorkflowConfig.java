package dev.weft.workflow;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** workflow-service settings ({@code weft.workflow.*}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.workflow")
public interface WorkflowConfig {

    /** Allow plain http URLs in http actions and webhook notifications (local runs and tests only). */
    @WithDefault("false")
    boolean allowHttp();

    /** CIDRs http actions may reach even though they are private or loopback, e.g. 127.0.0.1/32 for local runs. */
    Optional<List<String>> allowedCidrs();

    /** An http action or webhook notification without an answer after this has failed (and is retried per its policy). */
    @WithDefault("15s")
    Duration httpTimeout();

    Worker worker();

    Streams streams();

    interface Streams {
        /** How often record triggers whose change stream could not be ensured (connections-service down) try again. */
        @WithDefault("1m")
        Duration retryInterval();
    }

    interface Worker {
        /** Whether this replica runs executions; any number may, each execution runs on one at a time. */
        @WithDefault("true")
        boolean enabled();

        /** How often an idle worker looks for due executions (new, retried, delayed, or left by a dead replica). */
        @WithDefault("1s")
        Duration pollInterval();

        /** How long a claimed execution stays this replica's without finishing a step; renewed at every step. */
        @WithDefault("60s")
        Duration lease();

        /** Executions one replica runs at the same time. */
        @WithDefault("32")
        int concurrency();
    }
}
