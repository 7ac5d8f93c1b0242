package dev.weft.platform.transform;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both languages compiled once and applied per record, their errors placed in the source, and the sandbox's limits. */
class TransformRuntimeTest {
    /** Seed 000's "Format Phone Numbers" code, exactly as the seed writes it (between backticks). */
    static final String SEED_PHONE = "` module.exports = (record) => { if (record.Phone) { record.Phone = record.Phone.replace(/[^0-9]/g, ''); "
            + "if (record.Phone.length === 10) { record.Phone = '+1' + record.Phone; } } return record; }; `";

    private static CompiledTransform js(String code) {
        return TransformRuntime.compile(TransformLanguage.JAVASCRIPT, code, TransformLimits.defaults());
    }

    private static CompiledTransform jsonata(String code) {
        return TransformRuntime.compile(TransformLanguage.JSONATA, code, TransformLimits.defaults());
    }

    private static Map<String, Object> record(Object... pairs) {
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            record.put((String) pairs[i], pairs[i + 1]);
        }
        return record;
    }

    @Test
    void the_seed_phone_transform_runs_as_written_with_its_backticks() {
        try (CompiledTransform transform = js(SEED_PHONE)) {
            Map<String, Object> input = record("Phone", "(555) 123-4567", "Email", "a@example.com");
            assertEquals(record("Phone", "+15551234567", "Email", "a@example.com"), transform.apply(input));
            assertEquals("(555) 123-4567", input.get("Phone"), "the caller's record is never changed");
            assertEquals(record("Phone", "4412345678901"), transform.apply(record("Phone", "+44 1234 567 8901")));
            assertEquals(record("Email", "x@example.com"), transform.apply(record("Email", "x@example.com")));
        }
        // The same code without the backticks, and code that uses template literals itself.
        try (CompiledTransform transform = js(SEED_PHONE.substring(1, SEED_PHONE.length() - 1))) {
            assertEquals(record("Phone", "+15551234567"), transform.apply(record("Phone", "555.123.4567")));
        }
        try (CompiledTransform transform = js("`module.exports = (r) => ({ name: `${r.first} ${r.last}`.trim() });`")) {
            assertEquals(record("name", "Ada Lovelace"), transform.apply(record("first", "Ada", "last", "Lovelace")));
        }
    }

    @Test
    void javascript_keeps_its_context_between_records_and_skips_on_null() {
        try (CompiledTransform transform = js("let seen = 0;\nmodule.exports = function (r) { seen++; if (r.skip) return null; r.n = seen; return r; };")) {
            assertEquals(1, transform.apply(record("a", 1)).get("n"));
            assertNull(transform.apply(record("skip", true)));
            assertEquals(3, transform.apply(record("a", 2)).get("n"), "the code was evaluated once: its state carried over");
        }
        try (CompiledTransform bare = js("(record) => ({ id: record.id, at: record.at, uid: record.uid })")) {
            Instant at = Instant.parse("2024-05-01T10:15:30Z");
            UUID uid = UUID.randomUUID();
            assertEquals(record("id", 7, "at", "2024-05-01T10:15:30Z", "uid", uid.toString()), bare.apply(record("id", 7, "at", at, "uid", uid)));
        }
    }

    @Test
    void locale_aware_javascript_works_within_the_default_limits() {
        // ICU's locale data loads on first use; the shared engine loads it before any record's clock starts.
        try (CompiledTransform transform = js("module.exports = (r) => ({ day: new Date(r.at).toLocaleDateString('de-DE', {timeZone: 'UTC'}),"
                + " amount: new Intl.NumberFormat('en-US').format(r.amount), name: r.name.normalize('NFC').toLocaleUpperCase('en-US') });")) {
            assertEquals(record("day", "1.5.2024", "amount", "1,234,567.5", "name", "ADA"),
                    transform.apply(record("at", "2024-05-01T10:15:30Z", "amount", 1234567.5, "name", "ada")));
        }
    }

    @Test
    void javascript_syntax_errors_carry_line_and_column() {
        TransformException error = assertThrows(TransformException.class, () -> js("module.exports = (r) => {\n  let x = ;\n  return r;\n};"));
        assertEquals(TransformException.Kind.SYNTAX, error.kind());
        assertEquals(2, error.line());
        assertEquals(11, error.column());
        assertTrue(error.getMessage().startsWith("SyntaxError"), error.getMessage());
        TransformException none = assertThrows(TransformException.class, () -> js("const x = 1;"));
        assertEquals(TransformException.Kind.SYNTAX, none.kind());
        assertTrue(none.getMessage().contains("module.exports"), none.getMessage());
    }

    @Test
    void javascript_runtime_errors_and_wrong_results_carry_their_place() {
        try (CompiledTransform transform = js("module.exports = (r) => {\n  if (r.bad) {\n    return r.missing.field;\n  }\n  if (r.list) return [r];\n  return r;\n};")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("bad", true)));
            assertEquals(TransformException.Kind.RUNTIME, error.kind());
            assertEquals(3, error.line());
            assertTrue(error.getMessage().startsWith("TypeError"), error.getMessage());
            TransformException array = assertThrows(TransformException.class, () -> transform.apply(record("list", true)));
            assertTrue(array.getMessage().contains("returned an array"), array.getMessage());
            assertEquals(record("ok", 1), transform.apply(record("ok", 1)), "a failed record leaves the context usable");
        }
    }

    @Test
    void replaced_globals_cannot_corrupt_what_comes_back() {
        try (CompiledTransform transform = js("JSON.stringify = () => 'not json'; JSON.parse = () => 42;\n"
                + "module.exports = (r) => r.odd ? { toJSON() { return 7; } } : r;")) {
            assertEquals(record("a", 1), transform.apply(record("a", 1)));
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("odd", true)));
            assertEquals(TransformException.Kind.RUNTIME, error.kind());
            assertTrue(error.getMessage().contains("not an object"), error.getMessage());
        }
    }

    @Test
    void an_endless_loop_is_stopped_by_the_statement_limit_and_the_next_record_runs() {
        try (CompiledTransform transform = js("module.exports = (r) => {\n  if (r.spin) { while (true) {} }\n  return r;\n};")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("spin", true)));
            assertEquals(TransformException.Kind.LIMIT, error.kind());
            assertTrue(error.getMessage().contains("statement limit"), error.getMessage());
            assertEquals(2, error.line());
            assertEquals(record("spin", false), transform.apply(record("spin", false)));
        }
        // Top-level code is held to the same limits at compile time.
        TransformException top = assertThrows(TransformException.class, () -> js("while (true) {}\nmodule.exports = (r) => r;"));
        assertEquals(TransformException.Kind.LIMIT, top.kind());
    }

    @Test
    void the_cpu_time_limit_stops_what_the_statement_limit_allows() {
        TransformLimits limits = TransformLimits.defaults().withStatementLimit(Long.MAX_VALUE).withTimeout(Duration.ofMillis(500));
        try (CompiledTransform transform = TransformRuntime.compile(TransformLanguage.JAVASCRIPT,
                "module.exports = (r) => { if (r.spin) { for (;;) { try { r.x = 1; } catch (e) {} } } return r; };", limits)) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("spin", true)));
            assertEquals(TransformException.Kind.LIMIT, error.kind());
            assertTrue(error.getMessage().contains("time limit"), error.getMessage());
            assertEquals(record("spin", false), transform.apply(record("spin", false)), "a fresh context takes the next record");
        }
    }

    @Test
    void the_cpu_time_limit_stops_a_long_jsonata_expression() {
        TransformLimits limits = TransformLimits.defaults().withStatementLimit(Long.MAX_VALUE).withTimeout(Duration.ofMillis(100))
                .withAllocationBudget(Long.MAX_VALUE);
        try (CompiledTransform transform = TransformRuntime.compile(TransformLanguage.JSONATA,
                "spin ? {'total': $reduce([1..5000000], function($a, $b) { $a + $b })} : $", limits)) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("spin", true)));
            assertEquals(TransformException.Kind.LIMIT, error.kind());
            assertTrue(error.getMessage().contains("time limit"), error.getMessage());
            assertEquals(record("spin", false), transform.apply(record("spin", false)));
        }
    }

    @Test
    void many_threads_evaluating_one_jsonata_expression_each_get_their_own_budget() throws Exception {
        String expression = "{\"email\": $lowercase(email), \"company\": company, \"revenue\": revenue,"
                + " \"tier\": revenue > 5000000 ? \"enterprise\" : \"smb\"}";
        // A second expression in the same threads: the evaluator keeps per-thread state shared by all expressions.
        try (CompiledTransform transform = TransformRuntime.compile(TransformLanguage.JSONATA, expression, TransformLimits.defaults());
             CompiledTransform other = TransformRuntime.compile(TransformLanguage.JSONATA, "$sum([1..20]) > 3 ? $ : null", TransformLimits.defaults())) {
            // Virtual threads, as the workflow worker calls it: each record goes to a pooled platform thread.
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            try {
                List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
                for (int t = 0; t < 32; t++) {
                    int thread = t;
                    runs.add(threads.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < 2_000; i++) {
                            Map<String, Object> out = transform.apply(record("email", "A" + thread + "@X.COM", "company", "c", "revenue", i));
                            other.apply(record("n", i));
                            if (("a" + thread + "@x.com").equals(out.get("email"))) {
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                for (java.util.concurrent.Future<Integer> run : runs) {
                    assertEquals(2_000, run.get());
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void a_record_waiting_for_a_core_is_not_past_its_time_but_one_stalled_ten_times_over_is() {
        long second = Duration.ofSeconds(1).toNanos();
        assertFalse(Evaluation.pastTime(second / 2, second / 2, second), "within its time");
        assertFalse(Evaluation.pastTime(3 * second, second / 10, second), "3 s waiting for a core, 0.1 s of CPU");
        assertTrue(Evaluation.pastTime(3 * second, second + 1, second), "over its CPU time");
        assertTrue(Evaluation.pastTime(10 * second + 10, second / 10, second), "past the wall-clock backstop");
        assertTrue(Evaluation.pastTime(second + 1, -1, second), "no CPU clock: wall clock alone");
    }

    @Test
    void the_allocation_budget_stops_a_record_that_hoards_memory() {
        TransformLimits limits = TransformLimits.defaults().withStatementLimit(Long.MAX_VALUE).withTimeout(Duration.ofSeconds(30))
                .withAllocationBudget(32L << 20);
        try (CompiledTransform transform = TransformRuntime.compile(TransformLanguage.JAVASCRIPT,
                "module.exports = (r) => { const kept = []; if (r.hoard) { for (;;) { kept.push('x'.repeat(1000) + kept.length); } } return r; };", limits)) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("hoard", true)));
            assertEquals(TransformException.Kind.LIMIT, error.kind());
            assertTrue(error.getMessage().contains("memory limit"), error.getMessage());
            assertEquals(record("hoard", false), transform.apply(record("hoard", false)));
        }
        try (CompiledTransform transform = js("module.exports = (r) => { r.big = 'x'.repeat(50 * 1000 * 1000); return r; };")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record()));
            assertEquals(TransformException.Kind.LIMIT, error.kind());
            assertTrue(error.getMessage().contains("memory limit"), error.getMessage());
        }
    }

    @Test
    void java_processes_files_and_modules_are_refused() {
        String[] attempts = {
                "Java.type('java.lang.Runtime').getRuntime().exec('id')",
                "java.lang.Runtime.getRuntime()",
                "Packages.java.io.File",
                "require('fs').readFileSync('/etc/passwd')",
                "load('/etc/passwd')",
                "process.env",
                "Polyglot.eval('python', '1')",
        };
        for (String attempt : attempts) {
            try (CompiledTransform transform = js("module.exports = (r) => {\n  r.x = " + attempt + ";\n  return r;\n};")) {
                TransformException error = assertThrows(TransformException.class, () -> transform.apply(record()), attempt);
                assertEquals(TransformException.Kind.REFUSED, error.kind(), attempt + ": " + error.getMessage());
                assertTrue(error.getMessage().contains("sandbox"), error.getMessage());
                assertEquals(2, error.line(), attempt);
            }
        }
        // Refused at compile time too, when the top level reaches for them.
        TransformException top = assertThrows(TransformException.class, () -> js("const rt = Java.type('java.lang.Runtime');\nmodule.exports = (r) => r;"));
        assertEquals(TransformException.Kind.REFUSED, top.kind());
        assertEquals(1, top.line());
    }

    @Test
    void one_transform_serves_many_threads_at_once() throws Exception {
        try (CompiledTransform transform = js(SEED_PHONE); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Map<String, Object>>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String digits = String.format("555%07d", i);
                Callable<Map<String, Object>> call = () -> transform.apply(record("Phone", digits.substring(0, 3) + "-" + digits.substring(3)));
                results.add(pool.submit(call));
            }
            for (int i = 0; i < 200; i++) {
                assertEquals("+1" + String.format("555%07d", i), results.get(i).get().get("Phone"));
            }
        }
        // From virtual threads too (they are evaluated on platform threads, where allocations are counted).
        try (CompiledTransform transform = js(SEED_PHONE); ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals("+15551234567", virtual.submit(() -> transform.apply(record("Phone", "555 123 4567"))).get().get("Phone"));
        }
    }

    @Test
    void jsonata_maps_fields_and_skips_on_nothing() {
        try (CompiledTransform transform = jsonata("Skip ? undefined : {\n  \"email_address\": $lowercase(Email),\n  \"first_name\": FirstName,\n"
                + "  \"full\": FirstName & ' ' & LastName,\n  \"big\": Amount > 1000\n}")) {
            assertEquals(record("email_address", "ada@example.com", "first_name", "Ada", "full", "Ada Lovelace", "big", true),
                    transform.apply(record("Email", "ADA@example.com", "FirstName", "Ada", "LastName", "Lovelace", "Amount", 5000)));
            assertNull(transform.apply(record("Skip", true)));
        }
        try (CompiledTransform transform = jsonata("$merge([$, {\"seen_at\": at}])")) {
            assertEquals(record("at", "2024-05-01T10:15:30Z", "seen_at", "2024-05-01T10:15:30Z"),
                    transform.apply(record("at", Instant.parse("2024-05-01T10:15:30Z"))));
        }
    }

    @Test
    void jsonata_applies_to_many_records_from_many_threads() throws Exception {
        // dashjoin lengthens its environment for every frame made for an evaluation; 30,000 records once overflowed the stack.
        try (CompiledTransform transform = jsonata("{\"id\": Id, \"email_address\": $lowercase(Email)}"); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        int id = worker * 10_000 + i;
                        assertEquals(record("id", id, "email_address", "u" + id + "@example.com"), transform.apply(record("Id", id, "Email", "U" + id + "@Example.com")));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
    }

    @Test
    void jsonata_results_are_plain_json_values_copied_or_not() {
        // JSONata's null marker, functions and sequences inside the result are made plain (a copy); a result already plain
        // is handed on as it is. Either way the caller gets an ordered map it may change.
        try (CompiledTransform transform = jsonata("{\"a\": null, \"b\": name, \"f\": $uppercase, \"nested\": {\"n\": null}, \"list\": [name, null]}")) {
            Map<String, Object> out = transform.apply(record("name", "x"));
            assertEquals(record("a", null, "b", "x", "nested", record("n", null), "list", Arrays.asList("x", null)), out);
            assertEquals(List.of("a", "b", "nested", "list"), List.copyOf(out.keySet()));
        }
        try (CompiledTransform transform = jsonata("$merge([$, {\"region\": $uppercase(region)}])")) {
            Map<String, Object> out = transform.apply(record("id", 7L, "region", "north", "note", null));
            assertEquals(record("id", 7L, "region", "NORTH", "note", null), out);
            out.put("added", true);
            assertEquals(true, out.get("added"));
        }
    }

    @Test
    void jsonata_builtins_answer_as_dashjoin_does_with_their_arguments_checked_by_a_short_cut() {
        // Each expression's value through the runtime (which binds JsonataBuiltins) and through dashjoin alone: the same
        // value, or an error with the same code. Plain calls, the context as argument, values wrapped into arrays, wrong
        // types, arrays with a wrong item, partial application and functions passed to functions.
        Map<String, Object> input = record("name", "north", "n", -2.5, "list", List.of(1, 2, 3), "words", List.of("a", "b"),
                "objects", List.of(record("a", 1), record("b", 2)), "mixed", List.of(1, "x"), "flag", false);
        List<String> expressions = List.of("$uppercase(name)", "name.$uppercase()", "$lowercase('ABC')", "$trim('  a  b ')", "$length(name)",
                "$floor(n)", "$ceil(n)", "$abs(n)", "n.$abs()", "$sum(list)", "$max(list)", "$min(list)", "$average(list)", "$sum(3)",
                "$count(words)", "$count(name)", "$count(missing)", "$merge(objects)", "$merge(objects[0])", "$merge([$, {'name': $uppercase(name)}])",
                "$boolean(flag)", "$boolean(name)", "$not(flag)", "$keys(objects[1])", "$exists(missing)", "$exists(name)", "$type(list)",
                "$uppercase(missing)", "$sum([])", "$merge([])", "($up := $uppercase(?); $up(name))", "$map(words, $uppercase)",
                "$uppercase(1)", "$uppercase(list)", "$length(flag)", "$abs(name)", "$sum(mixed)", "$sum(words)", "$merge(list)",
                "$merge([objects[0], 1])", "$uppercase(name, name)", "$count(list, 1)", "$boolean()", "$uppercase($uppercase)");
        for (String expression : expressions) {
            Object expected;
            String expectedError = null;
            try {
                expected = com.dashjoin.jsonata.Jsonata.jsonata("{\"v\": " + expression + "}").evaluate(input);
            } catch (com.dashjoin.jsonata.JException e) {
                expected = null;
                expectedError = e.getError();
            } catch (RuntimeException e) {
                expected = null;
                expectedError = "";
            }
            try (CompiledTransform transform = jsonata("{\"v\": " + expression + "}")) {
                if (expectedError != null) {
                    TransformException error = assertThrows(TransformException.class, () -> transform.apply(input), expression);
                    assertEquals(TransformException.Kind.RUNTIME, error.kind(), expression);
                    assertTrue(error.getMessage().startsWith(expectedError), expression + ": " + error.getMessage());
                } else {
                    assertEquals(expected, transform.apply(input), expression);
                }
            }
        }
    }

    @Test
    void jsonata_syntax_errors_carry_line_and_column() {
        TransformException error = assertThrows(TransformException.class, () -> jsonata("{\n  \"a\": Email,\n  \"b\": (FirstName &\n}"));
        assertEquals(TransformException.Kind.SYNTAX, error.kind());
        assertEquals(4, error.line(), error.getMessage());
        assertEquals(1, error.column(), error.getMessage());
        TransformException second = assertThrows(TransformException.class, () -> jsonata("{\"a\": $uppercase(Email}"));
        assertEquals("S0202: Expected \")\", got \"}\"", second.getMessage());
        assertEquals(1, second.line());
        assertEquals(23, second.column(), "the } where ) belongs");
    }

    @Test
    void an_expression_nested_thousands_deep_is_a_syntax_error_not_a_crash() {
        String deep = "(".repeat(5_000) + "1" + ")".repeat(5_000);
        TransformException jsonata = assertThrows(TransformException.class, () -> jsonata(deep));
        assertEquals(TransformException.Kind.SYNTAX, jsonata.kind());
        assertEquals("the expression nests too deeply to parse", jsonata.getMessage());
        // GraalJS parses it, then stops loading the module at its statement limit: refused as well, if for another reason.
        TransformException javascript = assertThrows(TransformException.class, () -> js("module.exports = (r) => " + deep + ";"));
        assertEquals(TransformException.Kind.LIMIT, javascript.kind(), javascript.getMessage());
        // Nesting a parser handles is still an expression.
        String fine = "(".repeat(50) + "1" + ")".repeat(50);
        try (CompiledTransform transform = jsonata("{\"n\": " + fine + "}")) {
            assertEquals(record("n", 1), transform.apply(record()));
        }
    }

    @Test
    void jsonata_runtime_errors_and_limits() {
        try (CompiledTransform transform = jsonata("{\"n\": Amount + 1}")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record("Amount", "ten")));
            assertEquals(TransformException.Kind.RUNTIME, error.kind());
            assertTrue(error.getMessage().startsWith("T2001: "), error.getMessage());
        }
        try (CompiledTransform transform = jsonata("\"just a string\"")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record()));
            assertTrue(error.getMessage().contains("returned a string"), error.getMessage());
        }
        try (CompiledTransform transform = jsonata("($f := function($n) { $f($n + 1) }; {\"x\": $f(0)})")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record()));
            assertEquals(TransformException.Kind.LIMIT, error.kind(), error.getMessage());
        }
        try (CompiledTransform transform = jsonata("{\"n\": $count([1..5000000].($ * 2))}")) {
            TransformException error = assertThrows(TransformException.class, () -> transform.apply(record()));
            assertEquals(TransformException.Kind.LIMIT, error.kind(), error.getMessage());
        }
    }

    @Test
    void the_seed_body_with_backticks_reads_as_json() {
        String seed = "{ \"name\": \"Format Phone Numbers\", \"type\": \"javascript\", \"code\": ` module.exports = (record) => { if (record.Phone) { "
                + "record.Phone = record.Phone.replace(/[^0-9]/g, ''); if (record.Phone.length === 10) { record.Phone = '+1' + record.Phone; } } "
                + "return record; }; ` }";
        assertEquals("{ \"name\": \"Format Phone Numbers\", \"type\": \"javascript\", \"code\": \" module.exports = (record) => { if (record.Phone) { "
                + "record.Phone = record.Phone.replace(/[^0-9]/g, ''); if (record.Phone.length === 10) { record.Phone = '+1' + record.Phone; } } "
                + "return record; }; \" }", TemplateLiterals.toJson(seed));
        assertEquals("{\"code\": \"a = `x${1}`;\\n\\\"q\\\"\", \"description\": \"d`\"}",
                TemplateLiterals.toJson("{\"code\": `a = `x${1}`;\n\"q\"`, \"description\": \"d`\"}"));
        assertEquals("{\"x\": 1}", TemplateLiterals.toJson("{\"x\": 1}"));
        assertEquals("{\"code\": `never closed", TemplateLiterals.toJson("{\"code\": `never closed"));
    }
}
