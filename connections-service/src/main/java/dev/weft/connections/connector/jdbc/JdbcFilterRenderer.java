package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.ConnectorException;
import dev.weft.platform.filter.Filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Filter} tree as a SQL condition with bound parameters only: every field is
 * resolved against the table's columns and quoted by the dialect, every value converted to its
 * column's type and bound as a parameter. No value ever becomes SQL text.
 */
public final class JdbcFilterRenderer {
    private final SqlDialect dialect;
    private final TableInfo table;
    private final List<BoundValue> parameters = new ArrayList<>();

    /** A converted value and the column whose type binds it. */
    public record BoundValue(Object value, ColumnInfo column) {
    }

    /** The condition (null for no filter) and its parameters in placeholder order. */
    public record Rendered(String sql, List<BoundValue> parameters) {
    }

    private JdbcFilterRenderer(SqlDialect dialect, TableInfo table) {
        this.dialect = dialect;
        this.table = table;
    }

    public static Rendered render(Filter filter, TableInfo table, SqlDialect dialect) {
        if (filter == null) {
            return new Rendered(null, List.of());
        }
        JdbcFilterRenderer renderer = new JdbcFilterRenderer(dialect, table);
        String sql = renderer.render(filter);
        return new Rendered(sql, List.copyOf(renderer.parameters));
    }

    private String render(Filter filter) {
        return switch (filter) {
            case Filter.And and -> join(and.operands(), " AND ");
            case Filter.Or or -> join(or.operands(), " OR ");
            case Filter.Not not -> "NOT (" + render(not.operand()) + ")";
            case Filter.Compare compare -> compare(compare);
            case Filter.In in -> in(in);
            case Filter.IsNull isNull -> quoted(column(isNull.field())) + (isNull.negated() ? " IS NOT NULL" : " IS NULL");
        };
    }

    private String join(List<Filter> operands, String operator) {
        List<String> parts = new ArrayList<>();
        for (Filter operand : operands) {
            parts.add(render(operand));
        }
        return "(" + String.join(operator, parts) + ")";
    }

    private String compare(Filter.Compare compare) {
        ColumnInfo column = column(compare.field());
        if (compare.op() == Filter.Op.LIKE || compare.op() == Filter.Op.NOT_LIKE) {
            // the pattern stays text whatever the column's type; the dialect makes the column comparable with it
            parameters.add(new BoundValue(String.valueOf(compare.value()), new ColumnInfo(column.table(), column.name(),
                    ValueKind.STRING, "text", true, false, false, null)));
            return dialect.likeOperand(quoted(column), column) + " " + compare.op().sql() + " ?";
        }
        parameters.add(new BoundValue(convert(compare.value(), column), column));
        return quoted(column) + " " + compare.op().sql() + " ?";
    }

    private String in(Filter.In in) {
        ColumnInfo column = column(in.field());
        List<String> placeholders = new ArrayList<>();
        for (Object value : in.values()) {
            parameters.add(new BoundValue(convert(value, column), column));
            placeholders.add("?");
        }
        return quoted(column) + (in.negated() ? " NOT IN (" : " IN (") + String.join(", ", placeholders) + ")";
    }

    private ColumnInfo column(String field) {
        return table.resolve(field).orElseThrow(() -> ConnectorException.invalid("filter", "known_field",
                "filter names " + field + ", which " + table.objectName() + " does not have"));
    }

    private String quoted(ColumnInfo column) {
        return dialect.quote(column.name());
    }

    private static Object convert(Object value, ColumnInfo column) {
        try {
            return JdbcValues.toJdbc(value, column);
        } catch (IllegalArgumentException e) {
            throw ConnectorException.invalid("filter", "type", "filter: " + e.getMessage());
        }
    }
}
