package dev.weft.workflow.action;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.transform.CompiledTransform;
import dev.weft.platform.transform.TransformException;
import dev.weft.platform.transform.TransformLanguage;
import dev.weft.platform.transform.TransformLimits;
import dev.weft.platform.transform.TransformRuntime;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Transform steps and JSONata conditions on the platform's transform runtime (the one sync transforms use), with its
 * default limits per record. Compiled code is kept per (language, source), so a workflow's transform compiles once per
 * replica, not once per execution; the cache is bounded (cleared when full).
 */
@ApplicationScoped
public class PlatformTransformEngine implements TransformEngine {
    private static final int MAX_CACHED = 1000;

    private final Map<String, CompiledTransform> compiled = new ConcurrentHashMap<>();

    @Override
    public void check(String language, String code, String field) {
        try (CompiledTransform ignored = TransformRuntime.compile(language(language), code, TransformLimits.defaults())) {
            // compiles, or throws
        } catch (TransformException e) {
            throw ApiException.invalid(field, "syntax", field + ": " + e.getMessage()
                    + (e.line() == null ? "" : " (line " + e.line() + (e.column() == null ? "" : ", column " + e.column()) + ")"));
        }
    }

    @Override
    public Map<String, Object> apply(String language, String code, Map<String, Object> record) {
        try {
            return compiled(language, code).apply(record);
        } catch (TransformException e) {
            throw StepFailure.permanent("TRANSFORM_ERROR", e.getMessage() + (e.line() == null ? "" : " (line " + e.line() + ")"));
        }
    }

    private CompiledTransform compiled(String language, String code) {
        String key = language + "\u0000" + code;
        CompiledTransform transform = compiled.get(key);
        if (transform != null) {
            return transform;
        }
        if (compiled.size() >= MAX_CACHED) {
            close();
        }
        return compiled.computeIfAbsent(key, k -> TransformRuntime.compile(language(language), code, TransformLimits.defaults()));
    }

    private static TransformLanguage language(String language) {
        return TransformLanguage.fromWire(language).orElseThrow(() -> new IllegalArgumentException("no transform language " + language));
    }

    @PreDestroy
    void close() {
        compiled.values().forEach(CompiledTransform::close);
        compiled.clear();
    }
}
