package dev.weft.platform.filter;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A parsed record filter: the one tree every connector renders in its own language (bound JDBC
 * parameters, SOQL, HubSpot filter groups, an in-memory predicate). Values are literals only:
 * {@code String}, {@code Long}, {@code java.math.BigDecimal}, {@code Boolean} or null; a field is
 * always a plain name, never an expression.
 */
public sealed interface Filter {

    enum Op {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">="), LIKE("LIKE"), NOT_LIKE("NOT LIKE");

        private final String sql;

        Op(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    record And(List<Filter> operands) implements Filter {
    }

    record Or(List<Filter> operands) implements Filter {
    }

    record Not(Filter operand) implements Filter {
    }

    record Compare(String field, Op op, Object value) implements Filter {
    }

    record In(String field, List<Object> values, boolean negated) implements Filter {
    }

    record IsNull(String field, boolean negated) implements Filter {
    }

    /** Every field name the filter mentions, in order of appearance (duplicates kept). */
    default List<String> fields() {
        return switch (this) {
            case And and -> and.operands().stream().flatMap(f -> f.fields().stream()).toList();
            case Or or -> or.operands().stream().flatMap(f -> f.fields().stream()).toList();
            case Not not -> not.operand().fields();
            case Compare compare -> List.of(compare.field());
            case In in -> List.of(in.field());
            case IsNull isNull -> List.of(isNull.field());
        };
    }

    /** The same filter with every field name replaced (e.g. by the schema's spelling). */
    default Filter renameFields(UnaryOperator<String> rename) {
        return switch (this) {
            case And and -> new And(and.operands().stream().map(f -> f.renameFields(rename)).toList());
            case Or or -> new Or(or.operands().stream().map(f -> f.renameFields(rename)).toList());
            case Not not -> new Not(not.operand().renameFields(rename));
            case Compare c -> new Compare(rename.apply(c.field()), c.op(), c.value());
            case In in -> new In(rename.apply(in.field()), in.values(), in.negated());
            case IsNull n -> new IsNull(rename.apply(n.field()), n.negated());
        };
    }
}
