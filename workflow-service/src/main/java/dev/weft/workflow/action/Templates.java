package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.weft.platform.error.ApiException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code {{Lead.Company}}} templates in action settings, rendered by jmustache against the execution's data: dotted
 * names walk into records, text is not HTML-escaped (a Slack message or a JSON body is not a web page), no partials. A
 * path that is not there renders empty, and is reported as a warning on the step, so a typo shows up in the execution
 * instead of silently sending a blank.
 */
public final class Templates {
    private static final Mustache.Compiler COMPILER = Mustache.compiler().escapeHTML(false).defaultValue("")
            .withLoader(name -> {
                throw new IllegalArgumentException("templates cannot include other templates ({{> " + name + "}})");
            });

    private Templates() {
    }

    /** A rendering and the variables it could not find. */
    public record Rendered(String text, List<String> missing) {
    }

    /** Refuses a template that does not compile, naming {@code field}. */
    public static void check(String template, String field) {
        try {
            COMPILER.compile(template);
        } catch (MustacheException | IllegalArgumentException e) {
            throw ApiException.invalid(field, "template", field + " is not a valid template: " + e.getMessage());
        }
    }

    public static Rendered render(String template, Map<String, Object> context) {
        if (template == null || !template.contains("{{")) {
            return new Rendered(template, List.of());
        }
        Template compiled = COMPILER.compile(template);
        Set<String> variables = new LinkedHashSet<>();
        compiled.visit(new Mustache.Visitor() {
            @Override
            public void visitText(String text) {
            }

            @Override
            public void visitVariable(String name) {
                variables.add(name);
            }

            @Override
            public boolean visitInclude(String name) {
                return false;
            }

            @Override
            public boolean visitSection(String name) {
                // Names inside a section are relative to it: only the section's own name is checked.
                variables.add(name);
                return false;
            }

            @Override
            public boolean visitInvertedSection(String name) {
                return false;
            }
        });
        List<String> missing = new ArrayList<>();
        for (String variable : variables) {
            if (!".".equals(variable) && !"this".equals(variable) && resolve(context, variable) == null) {
                missing.add(variable);
            }
        }
        return new Rendered(compiled.execute(context), missing);
    }

    /** Renders every text value inside {@code value} (objects and lists walked), collecting the missing paths. */
    public static JsonNode renderAll(JsonNode value, Map<String, Object> context, List<String> missing, ObjectMapper json) {
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            Rendered rendered = render(value.asText(), context);
            missing.addAll(rendered.missing());
            return TextNode.valueOf(rendered.text());
        }
        if (value.isObject()) {
            ObjectNode out = json.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                out.set(field.getKey(), renderAll(field.getValue(), context, missing, json));
            }
            return out;
        }
        if (value.isArray()) {
            var out = json.createArrayNode();
            value.forEach(item -> out.add(renderAll(item, context, missing, json)));
            return out;
        }
        return value;
    }

    /** The value at a dotted path ({@code Lead.Company}, {@code steps.0.output}), or null. */
    @SuppressWarnings("unchecked")
    public static Object resolve(Object root, String path) {
        Object current = root;
        for (String part : path.split("\\.")) {
            if (current instanceof Map<?, ?> map) {
                current = ((Map<String, Object>) map).get(part);
            } else if (current instanceof List<?> list && part.matches("\\d{1,6}") && Integer.parseInt(part) < list.size()) {
                current = list.get(Integer.parseInt(part));
            } else {
                return null;
            }
            if (current == null) {
                return null;
            }
        }
        return current;
    }
}
