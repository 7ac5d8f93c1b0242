package dev.weft.platform.transform;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A JSONata expression (dashjoin's implementation), parsed once per concurrent caller; the evaluator's entry hook
 * counts each record's steps and recursion depth and, every few steps, checks its CPU time and the thread's allocations.
 */
final class JsonataTransform implements CompiledTransform {
    private static final int CHECK_EVERY = 64;
    private static final long UNREAD = Long.MIN_VALUE;
    /** Marks a value JSON cannot hold (a function): dropped from the output, as JSON.stringify drops it. */
    private static final Object DROP = new Object();
    private static final Class<?>[] HOOKS = {Jsonata.EntryCallback.class, Jsonata.ExitCallback.class};
    /**
     * The record being evaluated on this thread. The hooks charge it, not the instance whose environment they were found
     * in: dashjoin evaluates through a per-thread evaluator shared by all expressions ({@code Jsonata.current}), and a
     * budget held by the instance's own hooks was charged by records on other threads (bench/workflows saw small
     * expressions stopped at the depth and time limits with 32 records in flight).
     */
    private static final ThreadLocal<Bounds> ACTIVE = new ThreadLocal<>();
    /**
     * The evaluator's entry and exit hooks as one object, the same for every instance. A proxy, because the hooks'
     * parameter types are not public in dashjoin's package (a lambda would have to name them); they ignore their arguments.
     */
    private static final Object HOOKS_ON_THIS_THREAD = Proxy.newProxyInstance(Jsonata.class.getClassLoader(), HOOKS, (proxy, method, args) -> {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "jsonata-bounds";
            };
        }
        Bounds bounds = ACTIVE.get();
        if (bounds != null) {
            if (method.getDeclaringClass() == Jsonata.EntryCallback.class) {
                bounds.enter();
            } else {
                bounds.exit();
            }
        }
        return null;
    });

    private final String source;
    private final TransformLimits limits;
    /**
     * Parsed expressions, one per concurrent caller: dashjoin evaluates in the expression's own environment (it binds
     * {@code $} there), so one expression must not serve two threads at once. A per-record frame is no way out: each
     * {@code createFrame()} lengthens the environment's chain for good (lookups slow down until the stack overflows).
     */
    private final ConcurrentLinkedDeque<Instance> idle = new ConcurrentLinkedDeque<>();

    private JsonataTransform(String source, TransformLimits limits) {
        this.source = source;
        this.limits = limits;
    }

    static JsonataTransform compile(String source, TransformLimits limits) {
        JsonataTransform transform = new JsonataTransform(source, limits);
        transform.idle.add(transform.instantiate());
        return transform;
    }

    private Instance instantiate() {
        Jsonata expression;
        try {
            expression = Jsonata.jsonata(source);
        } catch (JException e) {
            throw error(TransformException.Kind.SYNTAX, source, e);
        } catch (RuntimeException e) {
            // The parser reports some malformed input as plain runtime exceptions; it is still the author's syntax.
            throw new TransformException(TransformException.Kind.SYNTAX, "the expression does not parse: " + e.getMessage(), null, null);
        } catch (StackOverflowError e) {
            // The parser recurses once per level of nesting: thousands of brackets exhaust the thread's stack.
            throw new TransformException(TransformException.Kind.SYNTAX, "the expression nests too deeply to parse", null, null);
        }
        // The evaluator looks its hooks up by these names from the environment, where assign() binds them.
        expression.assign("__evaluate_entry", HOOKS_ON_THIS_THREAD);
        expression.assign("__evaluate_exit", HOOKS_ON_THIS_THREAD);
        // apply() hands the evaluator JSON-shaped values only (RecordJson.jsonShaped): its own walk over every input to
        // check that again would only repeat the work, once per record.
        expression.setValidateInput(false);
        JsonataBuiltins.bindInto(expression);
        return new Instance(expression, new Bounds(limits));
    }

    @Override
    public TransformLanguage language() {
        return TransformLanguage.JSONATA;
    }

    @Override
    public Map<String, Object> apply(Map<String, Object> record) {
        Object input = RecordJson.jsonShaped(record);
        return Evaluation.onPlatformThread(() -> {
            Instance instance = idle.pollFirst();
            if (instance == null) {
                instance = instantiate();
            }
            try {
                return evaluate(instance, input);
            } finally {
                idle.offerFirst(instance);
            }
        });
    }

    private Map<String, Object> evaluate(Instance instance, Object input) {
        instance.bounds.start();
        ACTIVE.set(instance.bounds);
        Object result;
        try {
            result = instance.expression.evaluate(input);
        } catch (LimitExceeded e) {
            throw new TransformException(TransformException.Kind.LIMIT, e.getMessage(), null, null);
        } catch (StackOverflowError e) {
            throw new TransformException(TransformException.Kind.LIMIT, "the expression recursed too deeply", null, null);
        } catch (JException e) {
            throw error(TransformException.Kind.RUNTIME, source, e);
        } catch (RuntimeException e) {
            throw new TransformException(TransformException.Kind.RUNTIME, String.valueOf(e.getMessage()), null, null);
        } finally {
            ACTIVE.set(null);
        }
        Object output = plain(result);
        if (output == null || output == DROP) {
            return null;
        }
        if (output instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) output;
            return map;
        }
        throw new TransformException(TransformException.Kind.RUNTIME, "the expression returned " + describe(output)
                + "; it must return an object (the record), or nothing to skip the record", null, null);
    }

    @Override
    public void close() {
        // Nothing held: a parsed expression is plain heap.
    }

    /** Plain Java JSON values: JSONata's null marker as null, its sequences as lists, functions dropped. */
    private static Object plain(Object value) {
        if (value == null || value == Jsonata.NULL_VALUE) {
            return null;
        }
        // The usual result (an object of strings, numbers and booleans) is kept as it is: a copy per record only when
        // something in it needs changing.
        if (value instanceof LinkedHashMap<?, ?> ordered && isPlainObject(ordered)) {
            return ordered;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object plain = plain(entry.getValue());
                if (plain != DROP) {
                    copy.put(String.valueOf(entry.getKey()), plain);
                }
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                Object plain = plain(item);
                copy.add(plain == DROP ? null : plain);
            }
            return copy;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return DROP;
    }

    /** An ordered object with string keys and only strings, numbers, booleans and nulls as values: already plain. */
    private static boolean isPlainObject(Map<?, ?> map) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object value = entry.getValue();
            if (!(entry.getKey() instanceof String)
                    || value != null && !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Object value) {
        if (value instanceof List<?>) {
            return "an array";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        return value instanceof Boolean ? "a boolean" : "a " + value.getClass().getSimpleName();
    }

    private static TransformException error(TransformException.Kind kind, String source, JException e) {
        String message = e.getMessage() == null ? "the expression failed" : e.getMessage();
        if (e.getError() != null && !message.startsWith(e.getError())) {
            message = e.getError() + ": " + message;
        }
        int location = e.getLocation();
        if (location < 0) {
            return new TransformException(kind, message, null, null);
        }
        // dashjoin reports the offset just past the offending token; the author wants its last character.
        int[] place = SourcePositions.lineAndColumn(source, Math.max(0, location - 1));
        return new TransformException(kind, message, place[0], place[1]);
    }

    private record Instance(Jsonata expression, Bounds bounds) {
    }

    /** The per-record budget, kept by the evaluator's entry and exit hooks; restarted for each record. */
    private static final class Bounds {
        private final TransformLimits limits;
        private long startedAt;
        /** The thread's CPU clock at the record's first check: most records end before one, and pay nothing for it. */
        private long cpuAtStart;
        private long allocatedAtStart;
        private long steps;
        private int depth;

        Bounds(TransformLimits limits) {
            this.limits = limits;
        }

        void start() {
            startedAt = System.nanoTime();
            cpuAtStart = UNREAD;
            allocatedAtStart = Evaluation.allocatedBytes();
            steps = 0;
            depth = 0;
        }

        void enter() {
            if (++depth > limits.maxDepth()) {
                throw new LimitExceeded("the expression recursed deeper than " + limits.maxDepth() + " levels (depth limit)");
            }
            if (++steps > limits.statementLimit()) {
                throw new LimitExceeded("the expression took more than " + limits.statementLimit() + " evaluation steps for one record (statement limit)");
            }
            if (steps % CHECK_EVERY == 0) {
                if (cpuAtStart == UNREAD) {
                    cpuAtStart = Evaluation.cpuNanos();
                }
                long wall = System.nanoTime() - startedAt;
                if (wall > limits.timeout().toNanos()
                        && Evaluation.pastTime(wall, cpuAtStart < 0 ? -1 : Evaluation.cpuNanos() - cpuAtStart, limits.timeout().toNanos())) {
                    throw new LimitExceeded("the expression ran longer than " + limits.timeout().toMillis() + " ms of CPU for one record (time limit)");
                }
                if (allocatedAtStart >= 0 && Evaluation.allocatedBytes() - allocatedAtStart > limits.allocationBudget()) {
                    throw new LimitExceeded("the expression allocated more than " + (limits.allocationBudget() >> 20) + " MiB for one record (memory limit)");
                }
            }
        }

        void exit() {
            depth--;
        }
    }

    /** Thrown from the hooks; not a JException, so the evaluator does not wrap it as the expression's own error. */
    private static final class LimitExceeded extends RuntimeException {
        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }
}
