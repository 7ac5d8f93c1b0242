package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * {@code transform}: the current record through JSONata or JavaScript code ({@code language}, {@code code}) on the
 * shared transform runtime; its result becomes the record the next steps see. Seed 000's
 * {@code {"enrich_company_data": true}} names an enrichment provider Weft does not have: such a step is accepted and
 * passes the record on unchanged, with a warning on the step saying so.
 */
@ApplicationScoped
public class TransformAction implements Action {
    static final String NO_ENRICHMENT = "enrich_company_data: no enrichment provider is configured; the record passes unchanged";

    private final TransformEngine transforms;

    public TransformAction(TransformEngine transforms) {
        this.transforms = transforms;
    }

    @Override
    public String type() {
        return "transform";
    }

    /** Computes from the execution's data only (JSONata/JavaScript run in the platform's sandbox, without I/O). */
    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public void check(ObjectNode config, String at) {
        String code = Actions.text(config, "code", at, false);
        if (code == null) {
            if (!config.has("enrich_company_data")) {
                throw ApiException.invalid(at + ".code", "required", at + ".code is required: a JSONata expression or a JavaScript function");
            }
            return;
        }
        transforms.check(language(config, at), code, at + ".code");
    }

    @Override
    @SuppressWarnings("unchecked")
    public StepResult run(StepInput input) {
        Map<String, Object> record = input.context().get("record") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        if (!input.config().hasNonNull("code")) {
            return new StepResult(Map.of("record", record), record, List.of(NO_ENRICHMENT), false, null);
        }
        Map<String, Object> out = transforms.apply(language(input.config(), ""), input.config().get("code").asText(), record);
        if (out == null) {
            // The transform returned nothing: as in a sync, the record is skipped, so the workflow stops here.
            return new StepResult(Map.of("skipped", true), null, List.of(), true, null);
        }
        return new StepResult(Map.of("record", out), out, List.of(), false, null);
    }

    private static String language(ObjectNode config, String at) {
        String language = config.hasNonNull("language") ? config.get("language").asText() : "jsonata";
        if (!language.equals("jsonata") && !language.equals("javascript")) {
            throw ApiException.invalid(at + ".language", "one_of", at + ".language must be jsonata or javascript");
        }
        return language;
    }
}
