package dev.weft.platform.filter;

import dev.weft.platform.error.ApiException;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses a filter such as {@code Industry = 'Technology' AND AnnualRevenue > 1000000} with
 * JSqlParser's SQL condition grammar and keeps only what a filter may be: comparisons,
 * {@code LIKE}, {@code IN}, {@code BETWEEN}, {@code IS [NOT] NULL} of a plain field against
 * literals, joined by {@code AND}, {@code OR}, {@code NOT} and parentheses. Anything else (a
 * function call, a subquery, a second statement, a field compared with a field) is a 400 naming
 * the {@code filter} field, so nothing a user wrote ever reaches a system as SQL text.
 */
public final class FilterParser {
    /** Long enough for any honest filter; longer ones only feed the parser's worst cases. */
    public static final int MAX_LENGTH = 4096;
    private static final int MAX_NODES = 200;
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private int nodes;

    private FilterParser() {
    }

    /** Null or blank filters mean "no filter" (null). */
    public static Filter parse(String filter) {
        if (filter == null || filter.isBlank()) {
            return null;
        }
        if (filter.length() > MAX_LENGTH) {
            throw invalid("max_length", "filter is longer than " + MAX_LENGTH + " characters");
        }
        Expression expression;
        try {
            expression = CCJSqlParserUtil.parseCondExpression(filter, false);
        } catch (JSQLParserException | RuntimeException e) {
            throw invalid("syntax", "filter is not a valid condition: " + firstLine(e));
        }
        return new FilterParser().convert(expression);
    }

    private Filter convert(Expression expression) {
        if (++nodes > MAX_NODES) {
            throw invalid("complexity", "filter has more than " + MAX_NODES + " terms");
        }
        return switch (expression) {
            case AndExpression and -> new Filter.And(flatten(List.of(convert(and.getLeftExpression()), convert(and.getRightExpression())), true));
            case OrExpression or -> new Filter.Or(flatten(List.of(convert(or.getLeftExpression()), convert(or.getRightExpression())), false));
            case NotExpression not -> new Filter.Not(convert(not.getExpression()));
            case Parenthesis parenthesis -> convert(parenthesis.getExpression());
            case ExpressionList<?> list when list.size() == 1 -> convert(list.get(0));
            case ComparisonOperator comparison -> comparison(comparison);
            case LikeExpression like -> like(like);
            case InExpression in -> in(in);
            case Between between -> between(between);
            case IsNullExpression isNull -> new Filter.IsNull(field(isNull.getLeftExpression()), isNull.isNot());
            default -> throw unsupported(expression);
        };
    }

    private Filter comparison(ComparisonOperator comparison) {
        Filter.Op op = switch (comparison) {
            case EqualsTo ignored -> Filter.Op.EQ;
            case NotEqualsTo ignored -> Filter.Op.NE;
            case GreaterThan ignored -> Filter.Op.GT;
            case GreaterThanEquals ignored -> Filter.Op.GE;
            case MinorThan ignored -> Filter.Op.LT;
            case MinorThanEquals ignored -> Filter.Op.LE;
            default -> throw unsupported(comparison);
        };
        Expression left = comparison.getLeftExpression();
        Expression right = comparison.getRightExpression();
        if (!(left instanceof Column) && right instanceof Column) {
            // "1000000 < AnnualRevenue" reads as "AnnualRevenue > 1000000".
            return new Filter.Compare(field(right), mirror(op), literal(left));
        }
        Object value = literal(right);
        if (value == null) {
            throw invalid("null_comparison", "compare with NULL using IS NULL or IS NOT NULL");
        }
        return new Filter.Compare(field(left), op, value);
    }

    private Filter like(LikeExpression like) {
        if (like.getLikeKeyWord() != LikeExpression.KeyWord.LIKE || like.getEscape() != null) {
            throw unsupported(like);
        }
        Object pattern = literal(like.getRightExpression());
        if (!(pattern instanceof String)) {
            throw invalid("like_pattern", "LIKE needs a quoted pattern");
        }
        return new Filter.Compare(field(like.getLeftExpression()), like.isNot() ? Filter.Op.NOT_LIKE : Filter.Op.LIKE, pattern);
    }

    private Filter in(InExpression in) {
        if (!(in.getRightExpression() instanceof ExpressionList<?> list) || list.isEmpty()) {
            throw invalid("in_list", "IN needs a parenthesised list of literals");
        }
        List<Object> values = new ArrayList<>();
        for (Expression item : list) {
            nodes++;
            Object value = literal(item);
            if (value == null) {
                throw invalid("null_comparison", "IN lists cannot hold NULL");
            }
            values.add(value);
        }
        if (nodes > MAX_NODES) {
            throw invalid("complexity", "filter has more than " + MAX_NODES + " terms");
        }
        return new Filter.In(field(in.getLeftExpression()), List.copyOf(values), in.isNot());
    }

    private Filter between(Between between) {
        String field = field(between.getLeftExpression());
        Filter range = new Filter.And(List.of(
                new Filter.Compare(field, Filter.Op.GE, literal(between.getBetweenExpressionStart())),
                new Filter.Compare(field, Filter.Op.LE, literal(between.getBetweenExpressionEnd()))));
        return between.isNot() ? new Filter.Not(range) : range;
    }

    private static String field(Expression expression) {
        if (expression instanceof Column column && !isBooleanWord(column)) {
            String name = column.getFullyQualifiedName();
            if (FIELD_NAME.matcher(name).matches()) {
                return name;
            }
        }
        throw invalid("field_expected", "expected a field name, found " + describe(expression));
    }

    private static Object literal(Expression expression) {
        return switch (expression) {
            case StringValue string -> string.getNotExcapedValue();
            case LongValue number -> number.getBigIntegerValue().bitLength() < 64 ? (Object) number.getValue() : new BigDecimal(number.getBigIntegerValue());
            case DoubleValue number -> new BigDecimal(number.toString());
            case NullValue ignored -> null;
            case BooleanValue bool -> bool.getValue();
            case Column column when isBooleanWord(column) -> Boolean.parseBoolean(column.getColumnName());
            case SignedExpression signed when signed.getSign() == '-' && literal(signed.getExpression()) instanceof Long value -> -value;
            case SignedExpression signed when signed.getSign() == '-' && literal(signed.getExpression()) instanceof BigDecimal value -> value.negate();
            default -> throw invalid("literal_expected", "expected a literal value (a quoted string, a number, TRUE, FALSE or NULL), found " + describe(expression));
        };
    }

    private static boolean isBooleanWord(Column column) {
        String name = column.getFullyQualifiedName().toLowerCase(Locale.ROOT);
        return name.equals("true") || name.equals("false");
    }

    private static Filter.Op mirror(Filter.Op op) {
        return switch (op) {
            case LT -> Filter.Op.GT;
            case LE -> Filter.Op.GE;
            case GT -> Filter.Op.LT;
            case GE -> Filter.Op.LE;
            default -> op;
        };
    }

    private static List<Filter> flatten(List<Filter> operands, boolean and) {
        List<Filter> flat = new ArrayList<>();
        for (Filter operand : operands) {
            if (and && operand instanceof Filter.And nested) {
                flat.addAll(nested.operands());
            } else if (!and && operand instanceof Filter.Or nested) {
                flat.addAll(nested.operands());
            } else {
                flat.add(operand);
            }
        }
        return List.copyOf(flat);
    }

    private static ApiException unsupported(Expression expression) {
        return invalid("unsupported_expression", "filters may only compare fields with literals; not supported: " + describe(expression));
    }

    private static String describe(Expression expression) {
        String text = String.valueOf(expression);
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static String firstLine(Exception e) {
        String message = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : String.valueOf(e.getMessage());
        String line = message.lines().findFirst().orElse("").strip();
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }

    private static ApiException invalid(String constraint, String message) {
        return ApiException.invalid("filter", constraint, message);
    }
}
