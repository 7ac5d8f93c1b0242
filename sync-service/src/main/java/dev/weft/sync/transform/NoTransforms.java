package dev.weft.sync.transform;

import dev.weft.sync.sync.SyncPlan;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Until transforms are wired in: syncs without them run; a sync naming one fails its run, saying why. */
@ApplicationScoped
@DefaultBean
public class NoTransforms implements TransformStage {

    @Override
    public Compiled compile(String transformId, List<SyncPlan.Mapping> mappings) {
        if (transformId != null && !transformId.isBlank()) {
            throw new TransformUnavailable("transform " + transformId + " cannot run: transforms are not available in this deployment yet");
        }
        for (SyncPlan.Mapping mapping : mappings) {
            if (mapping.transform() != null && !mapping.transform().isBlank()) {
                throw new TransformUnavailable("the transform of field mapping " + mapping.source() + " -> " + mapping.destination()
                        + " cannot run: transforms are not available in this deployment yet");
            }
        }
        return NONE;
    }
}
