package dev.weft.connections.connector.salesforce;

import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.platform.filter.Filter;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders a {@link Filter} tree and field lists as SOQL. Identifiers are checked against SOQL's
 * name grammar (never quoted, since SOQL has no identifier quoting) and every value becomes a
 * literal escaped by SOQL's rules, so no user text reaches Salesforce as query syntax.
 */
public final class SoqlRenderer {
    /** sObject and field names, including relationship paths (Owner.Name) and custom suffixes (__c). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*");
    private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern ISO_DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?(Z|[+-]\\d{2}:?\\d{2})");

    private final ObjectSchema schema;

    public SoqlRenderer(ObjectSchema schema) {
        this.schema = schema;
    }

    /** {@code SELECT f1, f2 FROM Obj [WHERE ...] ORDER BY ... LIMIT n}. */
    public String select(String object, List<String> fields, String where, String orderBy, int limit) {
        StringBuilder soql = new StringBuilder("SELECT ")
                .append(fields.stream().map(SoqlRenderer::name).collect(Collectors.joining(", ")))
                .append(" FROM ").append(name(object));
        if (where != null && !where.isBlank()) {
            soql.append(" WHERE ").append(where);
        }
        if (orderBy != null) {
            soql.append(" ORDER BY ").append(orderBy);
        }
        return soql.append(" LIMIT ").append(limit).toString();
    }

    /** The filter as a SOQL condition; null when there is no filter. */
    public String where(Filter filter) {
        return filter == null ? null : render(filter, false);
    }

    /** Joins conditions with AND, parenthesising each so OR inside one cannot bind across. */
    public static String and(String... conditions) {
        List<String> present = java.util.Arrays.stream(conditions).filter(c -> c != null && !c.isBlank()).toList();
        if (present.size() == 1) {
            return present.getFirst();
        }
        return present.stream().map(c -> "(" + c + ")").collect(Collectors.joining(" AND "));
    }

    private String render(Filter filter, boolean nested) {
        return switch (filter) {
            case Filter.And and -> group(and.operands(), " AND ", nested);
            case Filter.Or or -> group(or.operands(), " OR ", nested);
            case Filter.Not not -> "(NOT " + wrap(render(not.operand(), false)) + ")";
            case Filter.IsNull isNull -> name(isNull.field()) + (isNull.negated() ? " != null" : " = null");
            case Filter.In in -> name(in.field()) + (in.negated() ? " NOT IN (" : " IN (")
                    + in.values().stream().map(v -> literal(in.field(), v)).collect(Collectors.joining(", ")) + ")";
            case Filter.Compare c -> compare(c);
        };
    }

    private String group(List<Filter> operands, String joiner, boolean nested) {
        String joined = operands.stream().map(f -> render(f, true)).collect(Collectors.joining(joiner));
        return nested && operands.size() > 1 ? "(" + joined + ")" : joined;
    }

    private static String wrap(String condition) {
        return condition.startsWith("(") && condition.endsWith(")") ? condition : "(" + condition + ")";
    }

    private String compare(Filter.Compare c) {
        String field = name(c.field());
        return switch (c.op()) {
            case LIKE -> field + " LIKE " + string(String.valueOf(c.value()));
            // SOQL has no NOT LIKE operator; NOT applies to the whole comparison instead.
            case NOT_LIKE -> "(NOT " + field + " LIKE " + string(String.valueOf(c.value())) + ")";
            case NE -> field + " != " + literal(c.field(), c.value());
            default -> field + " " + c.op().sql() + " " + literal(c.field(), c.value());
        };
    }

    /** A value as a SOQL literal; ISO dates stay unquoted when the field is a date or datetime. */
    String literal(String field, Object value) {
        return switch (value) {
            case null -> "null";
            case Boolean bool -> bool.toString();
            case BigDecimal number -> number.toPlainString();
            case Long number -> number.toString();
            case Integer number -> number.toString();
            case Number number -> new BigDecimal(number.toString()).toPlainString();
            case String text -> dateLiteral(field, text).orElseGet(() -> string(text));
            default -> string(String.valueOf(value));
        };
    }

    private Optional<String> dateLiteral(String field, String text) {
        String type = schema == null ? null : schema.field(field).map(FieldSchema::type).orElse(null);
        if ("date".equals(type) && ISO_DATE.matcher(text).matches()) {
            return Optional.of(text);
        }
        if ("datetime".equals(type)) {
            if (ISO_DATETIME.matcher(text).matches()) {
                return Optional.of(text);
            }
            if (ISO_DATE.matcher(text).matches()) {
                // A datetime field cannot be compared with a date literal in SOQL: midnight UTC is meant.
                return Optional.of(text + "T00:00:00Z");
            }
        }
        return Optional.empty();
    }

    /** A quoted SOQL string literal, escaped per SOQL's reserved-character rules. */
    public static String string(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(ch);
            }
        }
        return out.append('\'').toString();
    }

    /** An sObject or field name, checked: SOQL cannot quote identifiers, so only valid names pass. */
    public static String name(String name) {
        if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
            throw ConnectorException.invalid("fields", "soql_name", "not a valid Salesforce name: " + abbreviate(name));
        }
        return name;
    }

    public static boolean isName(String name) {
        return name != null && name.length() <= 255 && NAME.matcher(name).matches();
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
