package dev.weft.connections.connector.hubspot;

import dev.weft.connections.connector.ConnectorException;
import dev.weft.platform.filter.Filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link Filter} as HubSpot CRM search {@code filterGroups}: the filter is brought to
 * disjunctive normal form (groups are ORed, the filters inside a group ANDed), NOT is pushed down
 * to the comparisons by flipping their operators, and HubSpot's limits are enforced before the
 * request is sent so that the client gets a 400 naming the filter rather than a vendor error.
 */
public final class HubspotFilterRenderer {
    static final int MAX_GROUPS = 5;
    static final int MAX_FILTERS_PER_GROUP = 6;
    static final int MAX_FILTERS = 18;

    private HubspotFilterRenderer() {
    }

    /** One HubSpot search filter: {@code {"propertyName","operator","value"|"values"}}. */
    public record Condition(String propertyName, String operator, String value, List<String> values) {
        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("propertyName", propertyName);
            json.put("operator", operator);
            if (value != null) {
                json.put("value", value);
            }
            if (values != null) {
                json.put("values", values);
            }
            return json;
        }
    }

    /** The {@code filterGroups} array for a search body; empty when there is no filter. */
    public static List<Map<String, Object>> filterGroups(Filter filter) {
        return toJson(groups(filter));
    }

    static List<Map<String, Object>> toJson(List<List<Condition>> groups) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (List<Condition> group : groups) {
            json.add(Map.of("filters", group.stream().map(Condition::json).toList()));
        }
        return json;
    }

    static List<List<Condition>> groups(Filter filter) {
        if (filter == null) {
            return List.of();
        }
        List<List<Condition>> groups = dnf(filter, false);
        int total = groups.stream().mapToInt(List::size).sum();
        if (total > MAX_FILTERS) {
            throw limit("HubSpot search takes at most " + MAX_FILTERS + " filters in all; this filter needs " + total);
        }
        return groups;
    }

    private static List<List<Condition>> dnf(Filter filter, boolean negated) {
        return switch (filter) {
            case Filter.And and -> negated ? union(and.operands(), true) : product(and.operands(), false);
            case Filter.Or or -> negated ? product(or.operands(), true) : union(or.operands(), false);
            case Filter.Not not -> dnf(not.operand(), !negated);
            case Filter.Compare compare -> single(compare(compare, negated));
            case Filter.In in -> single(new Condition(in.field(), in.negated() != negated ? "NOT_IN" : "IN", null,
                    in.values().stream().map(HubspotFilterRenderer::value).toList()));
            case Filter.IsNull isNull -> single(new Condition(isNull.field(),
                    isNull.negated() != negated ? "HAS_PROPERTY" : "NOT_HAS_PROPERTY", null, null));
        };
    }

    private static List<List<Condition>> single(Condition condition) {
        return List.of(List.of(condition));
    }

    /** OR: the groups of every operand side by side. */
    private static List<List<Condition>> union(List<Filter> operands, boolean negated) {
        List<List<Condition>> groups = new ArrayList<>();
        for (Filter operand : operands) {
            groups.addAll(dnf(operand, negated));
            checkGroups(groups);
        }
        return groups;
    }

    /** AND: every combination of one group from each operand, merged (distribution of AND over OR). */
    private static List<List<Condition>> product(List<Filter> operands, boolean negated) {
        List<List<Condition>> groups = List.of(List.of());
        for (Filter operand : operands) {
            List<List<Condition>> right = dnf(operand, negated);
            List<List<Condition>> combined = new ArrayList<>();
            for (List<Condition> left : groups) {
                for (List<Condition> group : right) {
                    List<Condition> merged = new ArrayList<>(left);
                    merged.addAll(group);
                    if (merged.size() > MAX_FILTERS_PER_GROUP) {
                        throw limit("HubSpot search takes at most " + MAX_FILTERS_PER_GROUP + " filters combined with AND");
                    }
                    combined.add(List.copyOf(merged));
                }
                checkGroups(combined);
            }
            groups = combined;
        }
        return groups;
    }

    private static void checkGroups(List<List<Condition>> groups) {
        // Groups only ever multiply or add up, so stopping early also bounds the work on large filters.
        if (groups.size() > MAX_GROUPS) {
            throw limit("HubSpot search takes at most " + MAX_GROUPS + " OR-ed filter groups; this filter needs more");
        }
    }

    private static Condition compare(Filter.Compare compare, boolean negated) {
        String field = compare.field();
        return switch (compare.op()) {
            case EQ -> new Condition(field, negated ? "NEQ" : "EQ", value(compare.value()), null);
            case NE -> new Condition(field, negated ? "EQ" : "NEQ", value(compare.value()), null);
            case LT -> new Condition(field, negated ? "GTE" : "LT", value(compare.value()), null);
            case LE -> new Condition(field, negated ? "GT" : "LTE", value(compare.value()), null);
            case GT -> new Condition(field, negated ? "LTE" : "GT", value(compare.value()), null);
            case GE -> new Condition(field, negated ? "LT" : "GTE", value(compare.value()), null);
            case LIKE -> like(field, String.valueOf(compare.value()), negated);
            case NOT_LIKE -> like(field, String.valueOf(compare.value()), !negated);
        };
    }

    /**
     * LIKE as HubSpot can say it: {@code 'word'} is EQ, {@code '%word%'} CONTAINS_TOKEN, and a
     * one-sided {@code '%word'} / {@code 'word%'} a token with HubSpot's {@code *} wildcard.
     */
    private static Condition like(String field, String pattern, boolean negated) {
        if (pattern.indexOf('_') >= 0) {
            throw unsupported("HubSpot search has no single-character wildcard: LIKE patterns cannot use _");
        }
        boolean leading = pattern.startsWith("%");
        boolean trailing = pattern.length() > (leading ? 1 : 0) && pattern.endsWith("%");
        String inner = pattern.substring(leading ? 1 : 0, pattern.length() - (trailing ? 1 : 0));
        if (inner.indexOf('%') >= 0 || inner.indexOf('*') >= 0) {
            throw unsupported("HubSpot search supports LIKE patterns only of the form 'word', 'word%', '%word' or '%word%'");
        }
        if (inner.isEmpty()) {
            return new Condition(field, negated ? "NOT_HAS_PROPERTY" : "HAS_PROPERTY", null, null);
        }
        if (!leading && !trailing) {
            return new Condition(field, negated ? "NEQ" : "EQ", inner, null);
        }
        String token = leading && trailing ? inner : (leading ? "*" : "") + inner + (trailing ? "*" : "");
        return new Condition(field, negated ? "NOT_CONTAINS_TOKEN" : "CONTAINS_TOKEN", token, null);
    }

    static String value(Object value) {
        return switch (value) {
            case null -> throw unsupported("HubSpot filters cannot compare with null; use IS NULL or IS NOT NULL");
            case BigDecimal number -> number.toPlainString();
            default -> String.valueOf(value);
        };
    }

    private static ConnectorException limit(String message) {
        return ConnectorException.invalid("filter", "hubspot_search_limits", message);
    }

    private static ConnectorException unsupported(String message) {
        return ConnectorException.invalid("filter", "hubspot_unsupported", message);
    }
}
