package dev.weft.platform.filter;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A filter evaluated against records already fetched, for systems that cannot filter themselves
 * (generic HTTP APIs, extensions that do not). SQL semantics: a comparison with a missing or null
 * field is false, numbers compare by value whatever their JSON type, strings case-sensitively.
 */
public final class InMemoryFilter {

    private InMemoryFilter() {
    }

    public static Predicate<Map<String, Object>> of(Filter filter) {
        return filter == null ? record -> true : record -> matches(filter, record);
    }

    static boolean matches(Filter filter, Map<String, Object> record) {
        return switch (filter) {
            case Filter.And and -> and.operands().stream().allMatch(f -> matches(f, record));
            case Filter.Or or -> or.operands().stream().anyMatch(f -> matches(f, record));
            case Filter.Not not -> !matches(not.operand(), record);
            case Filter.IsNull isNull -> (record.get(isNull.field()) == null) != isNull.negated();
            case Filter.In in -> {
                Object actual = record.get(in.field());
                boolean found = actual != null && in.values().stream().anyMatch(v -> compare(actual, v) == 0);
                yield actual != null && found != in.negated();
            }
            case Filter.Compare c -> compareMatches(c, record.get(c.field()));
        };
    }

    private static boolean compareMatches(Filter.Compare c, Object actual) {
        if (actual == null) {
            return false;
        }
        return switch (c.op()) {
            case LIKE -> like(String.valueOf(c.value())).matcher(String.valueOf(actual)).matches();
            case NOT_LIKE -> !like(String.valueOf(c.value())).matcher(String.valueOf(actual)).matches();
            case EQ -> compare(actual, c.value()) == 0;
            case NE -> compare(actual, c.value()) != 0;
            case LT -> compare(actual, c.value()) < 0;
            case LE -> compare(actual, c.value()) <= 0;
            case GT -> compare(actual, c.value()) > 0;
            case GE -> compare(actual, c.value()) >= 0;
        };
    }

    private static int compare(Object actual, Object expected) {
        BigDecimal a = number(actual);
        BigDecimal b = number(expected);
        if (a != null && b != null) {
            return a.compareTo(b);
        }
        if (actual instanceof Boolean || expected instanceof Boolean) {
            return Objects.equals(String.valueOf(actual), String.valueOf(expected)) ? 0 : 1;
        }
        return String.valueOf(actual).compareTo(String.valueOf(expected));
    }

    private static BigDecimal number(Object value) {
        if (value instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        return null;
    }

    private static Pattern like(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            switch (ch) {
                case '%' -> regex.append(".*");
                case '_' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
