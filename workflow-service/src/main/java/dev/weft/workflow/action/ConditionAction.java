package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.filter.FilterParser;
import dev.weft.platform.filter.InMemoryFilter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * {@code condition}: the workflow goes on only while {@code expression} holds; otherwise it stops here, successfully,
 * and the remaining steps are skipped. The expression is in the data API's filter grammar ({@code language: filter},
 * the default: {@code AnnualRevenue > 5000000 AND Lead.Country = 'DE'}) against the execution's data, a bare name
 * meaning the current record's field; or a JSONata expression ({@code language: jsonata}) over the same data, through
 * the shared transform runtime.
 */
@ApplicationScoped
public class ConditionAction implements Action {
    private static final int MAX_CACHED = 1000;

    private final TransformEngine transforms;
    private final Map<String, Predicate<Map<String, Object>>> filters = new ConcurrentHashMap<>();

    public ConditionAction(TransformEngine transforms) {
        this.transforms = transforms;
    }

    @Override
    public String type() {
        return "condition";
    }

    /** Computes from the execution's data only (JSONata/JavaScript run in the platform's sandbox, without I/O). */
    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public void check(ObjectNode config, String at) {
        String expression = Actions.text(config, "expression", at, true);
        String language = language(config, at);
        if (language.equals("filter")) {
            try {
                FilterParser.parse(expression);
            } catch (ApiException e) {
                throw ApiException.invalid(at + ".expression", "filter", at + ".expression: " + e.getMessage());
            }
        } else {
            transforms.check("jsonata", TransformEngine.wrapBoolean(expression), at + ".expression");
        }
    }

    @Override
    public StepResult run(StepInput input) {
        String expression = input.config().get("expression").asText();
        boolean holds;
        if (language(input.config(), "").equals("filter")) {
            holds = parsed(expression).test(new PathView(input.context()));
        } else {
            Map<String, Object> result = transforms.apply("jsonata", TransformEngine.wrapBoolean(expression), input.context());
            Object value = result == null ? null : result.get("result");
            holds = value instanceof Boolean b ? b : value != null;
        }
        return new StepResult(Map.of("expression", expression, "holds", holds), null, java.util.List.of(), !holds, null);
    }

    /** A filter's predicate, parsed once per replica (parsing costs far more than testing a record). */
    private Predicate<Map<String, Object>> parsed(String expression) {
        Predicate<Map<String, Object>> predicate = filters.get(expression);
        if (predicate == null) {
            if (filters.size() >= MAX_CACHED) {
                filters.clear();
            }
            predicate = InMemoryFilter.of(FilterParser.parse(expression));
            filters.put(expression, predicate);
        }
        return predicate;
    }

    private static String language(ObjectNode config, String at) {
        String language = config.hasNonNull("language") ? config.get("language").asText() : "filter";
        if (!language.equals("filter") && !language.equals("jsonata")) {
            throw ApiException.invalid(at + ".language", "one_of", at + ".language must be filter or jsonata");
        }
        return language;
    }

    /** The execution's data as a filter sees it: dotted names walk into it; a name not found there is the record's field. */
    static final class PathView extends AbstractMap<String, Object> {
        private final Map<String, Object> context;

        PathView(Map<String, Object> context) {
            this.context = context;
        }

        @Override
        public Object get(Object key) {
            String path = String.valueOf(key);
            Object value = Templates.resolve(context, path);
            return value != null ? value : Templates.resolve(context.get("record"), path);
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return context.entrySet();
        }
    }
}
