package dev.weft.sync.transform;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.transform.CompiledTransform;
import dev.weft.platform.transform.TransformException;
import dev.weft.platform.transform.TransformLanguage;
import dev.weft.platform.transform.TransformRuntime;
import dev.weft.sync.SyncConfig;
import dev.weft.sync.sync.SyncPlan;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transforms on the platform's runtime, compiled once per run: the sync's stored transform (JavaScript or JSONata, under
 * the service's limits) over each mapped record, and each field mapping's JSONata expression over the source record.
 */
@ApplicationScoped
public class PlatformTransforms implements TransformStage {
    private final TransformService transforms;
    private final SyncConfig config;

    public PlatformTransforms(TransformService transforms, SyncConfig config) {
        this.transforms = transforms;
        this.config = config;
    }

    private record FieldTransform(String destination, CompiledTransform expression) {
    }

    @Override
    public Compiled compile(String transformId, List<SyncPlan.Mapping> mappings) {
        List<FieldTransform> fields = new ArrayList<>();
        CompiledTransform record = null;
        try {
            for (int i = 0; i < mappings.size(); i++) {
                SyncPlan.Mapping mapping = mappings.get(i);
                if (mapping.transform() == null || mapping.transform().isBlank()) {
                    continue;
                }
                try {
                    // The expression's value becomes the field: wrapped so the runtime returns it as a record.
                    fields.add(new FieldTransform(mapping.destination(), TransformRuntime.compile(TransformLanguage.JSONATA,
                            "{\"value\": (" + mapping.transform() + ")}", config.transforms().limits())));
                } catch (TransformException e) {
                    throw new TransformUnavailable("field_mappings[" + i + "].transform", "field_mappings[" + i + "].transform is not a JSONata "
                            + "expression that compiles: " + e.getMessage());
                }
            }
            if (transformId != null && !transformId.isBlank()) {
                try {
                    record = transforms.compile(transforms.require(transformId));
                } catch (ApiException e) {
                    throw new TransformUnavailable("transform_id", "transform " + transformId + " cannot run: " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            fields.forEach(f -> f.expression().close());
            throw e;
        }
        if (fields.isEmpty() && record == null) {
            return NONE;
        }
        CompiledTransform whole = record;
        return new Compiled() {
            @Override
            public Map<String, Object> apply(Map<String, Object> source, Map<String, Object> mapped) {
                Map<String, Object> out = mapped;
                if (!fields.isEmpty()) {
                    out = new LinkedHashMap<>(mapped);
                    for (FieldTransform field : fields) {
                        Map<String, Object> result = field.expression().apply(source);
                        out.put(field.destination(), result == null ? null : result.get("value"));
                    }
                }
                return whole == null ? out : whole.apply(out);
            }

            @Override
            public void close() {
                fields.forEach(f -> f.expression().close());
                if (whole != null) {
                    whole.close();
                }
            }
        };
    }
}
