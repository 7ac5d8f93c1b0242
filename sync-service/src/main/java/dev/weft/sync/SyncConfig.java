package dev.weft.sync;

import dev.weft.platform.transform.TransformLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** sync-service settings ({@code weft.sync.*}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.sync")
public interface SyncConfig {

    Transforms transforms();

    interface Transforms {
        /** JavaScript statements (JSONata evaluation steps) one record may take. */
        @WithDefault("1000000")
        long statementLimit();

        /** Wall-clock time one record may take. */
        @WithDefault("1s")
        Duration timeout();

        /** Bytes the evaluating thread may allocate for one record. */
        @WithDefault("67108864")
        long memoryLimit();

        /** Longest JavaScript string or typed array, in elements. */
        @WithDefault("8388608")
        int maxStringLength();

        /** Deepest JSONata recursion. */
        @WithDefault("500")
        int maxDepth();

        default TransformLimits limits() {
            return new TransformLimits(statementLimit(), timeout(), memoryLimit(), maxStringLength(), maxDepth());
        }
    }
}
