package dev.weft.sync.transform;

import dev.weft.platform.tenancy.OrgScopedLookup;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.platform.transform.CompiledTransform;
import dev.weft.platform.transform.TransformException;
import dev.weft.platform.transform.TransformLanguage;
import dev.weft.platform.transform.TransformRuntime;
import dev.weft.sync.SyncConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Custom transforms of the current org. Code is compiled on every create and replace, so a transform that is stored
 * always compiles; syncs compile it once per run ({@link #compile}).
 */
@ApplicationScoped
public class TransformService {
    private final CursorCodec cursors;
    private final SyncConfig config;

    public TransformService(CursorCodec cursors, SyncConfig config) {
        this.cursors = cursors;
        this.config = config;
    }

    @Transactional
    public TransformDtos.TransformView create(TransformDtos.TransformRequest request) {
        TransformLanguage language = checked(request);
        Transform transform = new Transform();
        transform.id = TypeId.uuidV7();
        apply(transform, request, language);
        transform.persist();
        Log.infof("event=transform_created org_id=%s transform_id=%s type=%s", TenantContext.requireOrgId(), transform.transformId(), transform.type);
        return view(transform);
    }

    public Page<TransformDtos.TransformView> list(String limit, String cursor) {
        return Keyset.of(Transform.class).page(PageRequest.of(limit, cursor, cursors), TransformService::view, cursors);
    }

    public TransformDtos.TransformView get(String id) {
        return view(require(id));
    }

    @Transactional
    public TransformDtos.TransformView replace(String id, TransformDtos.TransformRequest request) {
        Transform transform = require(id);
        apply(transform, request, checked(request));
        transform.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Log.infof("event=transform_replaced org_id=%s transform_id=%s type=%s", transform.orgId, transform.transformId(), transform.type);
        return view(transform);
    }

    @Transactional
    public void delete(String id) {
        Transform transform = require(id);
        transform.delete();
        Log.infof("event=transform_deleted org_id=%s transform_id=%s", transform.orgId, transform.transformId());
    }

    /** Runs the stored transform on sample records: each one's output, skip or error (with line and column). */
    public TransformDtos.TestResponse test(String id, TransformDtos.TestRequest request) {
        Transform transform = require(id);
        List<TransformDtos.TestResult> results = new ArrayList<>(request.records().size());
        int succeeded = 0;
        int skipped = 0;
        try (CompiledTransform compiled = compile(transform)) {
            for (int i = 0; i < request.records().size(); i++) {
                // The caller's sample stays as sent whatever the code does to its argument.
                Map<String, Object> sample = new LinkedHashMap<>(request.records().get(i));
                try {
                    Map<String, Object> output = compiled.apply(sample);
                    if (output == null) {
                        skipped++;
                        results.add(new TransformDtos.TestResult(i, "skipped", null, null));
                    } else {
                        succeeded++;
                        results.add(new TransformDtos.TestResult(i, "ok", output, null));
                    }
                } catch (TransformException e) {
                    results.add(new TransformDtos.TestResult(i, "error", null,
                            new TransformDtos.TestError(e.kind().wire(), e.getMessage(), e.line(), e.column())));
                }
            }
        }
        int failed = results.size() - succeeded - skipped;
        Log.infof("event=transform_tested org_id=%s transform_id=%s records=%d failed=%d", transform.orgId, transform.transformId(), results.size(), failed);
        return new TransformDtos.TestResponse(transform.transformId(), succeeded, skipped, failed, results);
    }

    /**
     * The stored transform compiled under this service's limits, for a run to apply to each record and close at its end.
     * A transform that compiled when stored can still fail here only on its top-level code's limits.
     */
    public CompiledTransform compile(Transform transform) {
        TransformLanguage language = TransformLanguage.fromWire(transform.type).orElseThrow();
        try {
            return TransformRuntime.compile(language, transform.code, config.transforms().limits());
        } catch (TransformException e) {
            throw invalidCode(e);
        }
    }

    /** The transform of this id in the current org; another org's is a 404 like a missing one. */
    public Transform require(String id) {
        Transform transform = OrgScopedLookup.findById(Transform.class, Ids.require(Transform.ID_PREFIX, id, "transform"));
        if (transform == null) {
            throw ApiException.notFound("transform");
        }
        return transform;
    }

    private TransformLanguage checked(TransformDtos.TransformRequest request) {
        TransformLanguage language = TransformLanguage.fromWire(request.type())
                .orElseThrow(() -> ApiException.invalid("type", "one_of", "type must be jsonata or javascript"));
        // Compiling proves the code parses (and, for JavaScript, exports a function) before anything stores it.
        try (CompiledTransform ignored = TransformRuntime.compile(language, request.code(), config.transforms().limits())) {
            return language;
        } catch (TransformException e) {
            throw invalidCode(e);
        }
    }

    private static void apply(Transform transform, TransformDtos.TransformRequest request, TransformLanguage language) {
        transform.name = request.name().trim();
        transform.type = language.wire();
        transform.code = request.code();
        transform.description = request.description();
    }

    private static ApiException invalidCode(TransformException e) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", "code");
        details.put("constraint", e.kind().wire());
        if (e.line() != null) {
            details.put("line", e.line());
        }
        if (e.column() != null) {
            details.put("column", e.column());
        }
        String where = e.line() == null ? "" : " (line " + e.line() + (e.column() == null ? "" : ", column " + e.column()) + ")";
        return new ApiException(ErrorCode.INVALID_REQUEST, "code does not compile: " + e.getMessage() + where, details);
    }

    static TransformDtos.TransformView view(Transform t) {
        return new TransformDtos.TransformView(t.transformId(), t.name, t.type, t.code, t.description, t.createdAt, t.updatedAt);
    }
}
