package dev.weft.platform.transform;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.Jsonata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSONata's one-parameter built-in functions, each bound into every parsed expression's environment in place of dashjoin's
 * own ({@code $uppercase}, {@code $merge}, ...), to check their argument without a regular expression.
 *
 * <p>dashjoin 0.9.8 checks every call's arguments against the function's signature by concatenating a type letter per
 * argument, matching that against a pattern, then splitting the matched text with {@code String.split("")}, which
 * compiles a pattern each time: a sixth of sync-service's CPU in bench/sync, for {@code $merge} and {@code $uppercase}
 * on every record. The functions here are dashjoin's (same name, signature, implementing method and so arity and partial
 * application); only their check takes a short cut for the plain case, one argument of the parameter's own type, where
 * dashjoin's check hands that argument through unchanged. Every other call (no argument, so the context is used; a value
 * of another type, to be wrapped in an array or refused; an array with an item of another type) goes through
 * dashjoin's check as before, with its errors.
 */
final class JsonataBuiltins {
    /**
     * Name, signature (as dashjoin registers it) and what the short cut accepts: a JSON type letter ({@code s} string,
     * {@code n} number, {@code x} anything), or {@code a} with the items' letter ({@code a}: any items).
     */
    private record Builtin(String name, String signature, String accepts, String method) {
        Builtin(String name, String signature, String accepts) {
            this(name, signature, accepts, name);
        }
    }

    private static final List<Builtin> ONE_PARAMETER = List.of(
            new Builtin("uppercase", "<s-:s>", "s"),
            new Builtin("lowercase", "<s-:s>", "s"),
            new Builtin("trim", "<s-:s>", "s"),
            new Builtin("length", "<s-:n>", "s"),
            new Builtin("floor", "<n-:n>", "n"),
            new Builtin("ceil", "<n-:n>", "n"),
            new Builtin("abs", "<n-:n>", "n"),
            new Builtin("sum", "<a<n>:n>", "an"),
            new Builtin("max", "<a<n>:n>", "an"),
            new Builtin("min", "<a<n>:n>", "an"),
            new Builtin("average", "<a<n>:n>", "an"),
            new Builtin("count", "<a:n>", "aa"),
            new Builtin("merge", "<a<o>:o>", "ao"),
            new Builtin("boolean", "<x-:b>", "x", "toBoolean"),
            new Builtin("not", "<x-:b>", "x"),
            new Builtin("keys", "<x-:a<s>>", "x"),
            new Builtin("exists", "<x:b>", "x"),
            new Builtin("type", "<x:s>", "x"));

    /** Made once: a function holds nothing per call, and dashjoin shares its own between all expressions and threads too. */
    private static final List<Map.Entry<String, Jsonata.JFunction>> FUNCTIONS = ONE_PARAMETER.stream()
            .map(b -> Map.entry(b.name(), (Jsonata.JFunction) new Checked(b))).toList();

    private JsonataBuiltins() {
    }

    /** Binds the functions into {@code expression}'s own environment, where lookups find them before dashjoin's. */
    static void bindInto(Jsonata expression) {
        for (Map.Entry<String, Jsonata.JFunction> function : FUNCTIONS) {
            expression.assign(function.getKey(), function.getValue());
        }
    }

    private static final class Checked extends Jsonata.JFunction {
        private final char type;
        private final char items;

        Checked(Builtin builtin) {
            super(builtin.name(), builtin.signature(), Functions.class, null, builtin.method());
            this.type = builtin.accepts().charAt(0);
            this.items = builtin.accepts().length() > 1 ? builtin.accepts().charAt(1) : 0;
        }

        @Override
        public Object validate(Object args, Object context) {
            if (args instanceof List<?> list && list.size() == 1 && plain(list.getFirst())) {
                List<Object> validated = new ArrayList<>(1);
                validated.add(list.getFirst());
                return validated;
            }
            return super.validate(args, context);
        }

        /** Whether dashjoin's check would hand this one argument through unchanged. */
        private boolean plain(Object arg) {
            return switch (type) {
                case 'x' -> arg != null;
                case 'a' -> arg instanceof List<?> list && (items == 'a' || allOf(list, items));
                default -> letter(arg) == type;
            };
        }

        private static boolean allOf(List<?> list, char letter) {
            for (Object item : list) {
                if (letter(item) != letter) {
                    return false;
                }
            }
            return true;
        }

        /** The JSON type letter of a value as dashjoin's check names it, or 0 for anything else (functions, null). */
        private static char letter(Object value) {
            if (value instanceof String) {
                return 's';
            }
            if (value instanceof Number) {
                return 'n';
            }
            if (value instanceof Boolean) {
                return 'b';
            }
            if (value instanceof Map<?, ?> && !(value instanceof Jsonata.JFunctionCallable)) {
                return 'o';
            }
            return 0;
        }
    }
}
