package dev.weft.platform.transform;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.regex.Pattern;

/**
 * A JavaScript transform on GraalJS: {@code module.exports = (record) => { ...; return record; }} (CommonJS style, as
 * seed 000 writes it), a bare function expression, or a script defining {@code module.exports}.
 *
 * <p>The sandbox: no host access (no Java objects, no {@code Java.type}, no host class lookup or loading), no IO (files,
 * sockets), no threads, no processes, no native code, no environment variables, no other languages, no {@code load},
 * {@code print} or Java package globals; console output goes nowhere. Per record: a statement limit (GraalVM
 * ResourceLimits, reset before each record), a CPU-time limit and an allocation budget (the {@link Watchdog} cancels
 * the context), strings and typed arrays of bounded length. The record goes in as a plain JS object (JSON-parsed) and
 * comes back JSON-stringified, so the transform sees and returns data only.
 *
 * <p>Contexts are pooled per transform: each concurrent caller borrows one, so the code is evaluated once per context,
 * not per record; all contexts share one engine, so the code is parsed once per JVM.
 */
final class JavaScriptTransform implements CompiledTransform {
    static final String SOURCE_NAME = "transform.js";
    private static final Pattern LOCATION_PREFIX = Pattern.compile("\\s*" + Pattern.quote(SOURCE_NAME) + ":\\d+:\\d+");
    static final String REFUSAL = "is not available: transforms run in a sandbox with no access to Java, files, the network, processes or modules";
    /** Host access off, and no mutable mappings either (what GraalVM's constrained sandbox demands of host access). */
    private static final HostAccess NO_HOST_ACCESS = HostAccess.newBuilder(HostAccess.NONE).allowMutableTargetMappings().build();
    private static final Source RUNTIME = Source.newBuilder("js", """
            (function (global) {
              'use strict';
              for (const name of ['Java', 'java', 'javax', 'Packages', 'require', 'process', 'load', 'loadWithNewGlobal', 'Polyglot',
                                  'fetch', 'XMLHttpRequest', 'importScripts', 'quit', 'exit', 'read', 'readbuffer']) {
                try {
                  Object.defineProperty(global, name, {
                    get() { throw new TypeError(name + ' %s'); },
                    configurable: false, enumerable: false
                  });
                } catch (ignored) {
                  // Already fixed by the engine: the sandbox refuses it anyway.
                }
              }
              // Taken before the author's code runs, which may replace the globals.
              const parse = JSON.parse;
              const stringify = JSON.stringify;
              global.module = { exports: {} };
              global.exports = global.module.exports;
              return function (transform) {
                return function (json) {
                  const out = transform(parse(json));
                  if (out === undefined || out === null) {
                    return null;
                  }
                  if (typeof out !== 'object' || Array.isArray(out)) {
                    throw new TypeError('the transform returned ' + (Array.isArray(out) ? 'an array' : typeof out)
                        + '; return the record (an object), or null to skip it');
                  }
                  if (typeof out.then === 'function') {
                    throw new TypeError('the transform returned a Promise; transforms are synchronous: return the record itself');
                  }
                  return stringify(out);
                };
              };
            })(globalThis)
            """.formatted(REFUSAL), "weft-runtime.js").cached(true).buildLiteral();

    private final Source source;
    private final TransformLimits limits;
    private final ResourceLimits resourceLimits;
    private final ConcurrentLinkedDeque<Instance> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    private JavaScriptTransform(String code, TransformLimits limits) {
        this.source = Source.newBuilder("js", code, SOURCE_NAME).cached(true).buildLiteral();
        this.limits = limits;
        this.resourceLimits = ResourceLimits.newBuilder().statementLimit(limits.statementLimit(), null).build();
    }

    static JavaScriptTransform compile(String code, TransformLimits limits) {
        return Evaluation.onPlatformThread(() -> {
            String unwrapped = TemplateLiterals.unwrapDelimiters(code);
            if (unwrapped != null) {
                // Seed 000 writes the code between backticks; read that way when it compiles so, else as it stands.
                try {
                    return compiled(unwrapped, limits);
                } catch (TransformException e) {
                    if (e.kind() != TransformException.Kind.SYNTAX) {
                        throw e;
                    }
                }
            }
            return compiled(code, limits);
        });
    }

    private static JavaScriptTransform compiled(String code, TransformLimits limits) {
        JavaScriptTransform transform = new JavaScriptTransform(code, limits);
        transform.idle.add(transform.instantiate());
        return transform;
    }

    @Override
    public TransformLanguage language() {
        return TransformLanguage.JAVASCRIPT;
    }

    @Override
    public Map<String, Object> apply(Map<String, Object> record) {
        if (closed) {
            throw new IllegalStateException("transform is closed");
        }
        String json = RecordJson.write(record);
        return Evaluation.onPlatformThread(() -> run(json));
    }

    private Map<String, Object> run(String json) {
        Instance instance = idle.pollFirst();
        if (instance == null) {
            instance = instantiate();
        }
        instance.context.resetLimits();
        String stopped = null;
        try (Watchdog.Watch watch = Watchdog.watch(instance.context, limits)) {
            try {
                Value out = instance.runner.execute(json);
                String text = out.isString() ? out.asString() : null;
                stopped = watch.stopped();
                if (stopped == null) {
                    release(instance);
                    return text == null ? null : RecordJson.readOutput(text);
                }
            } catch (PolyglotException e) {
                stopped = watch.stopped();
                TransformException error = translate(e, stopped);
                if (stopped == null && !e.isCancelled() && !e.isResourceExhausted() && !e.isInternalError()) {
                    release(instance);
                } else {
                    discard(instance);
                }
                throw error;
            } catch (RuntimeException e) {
                // A context the watchdog closed under a running call can also surface as IllegalStateException.
                stopped = watch.stopped();
                discard(instance);
                if (stopped == null) {
                    throw e;
                }
            }
        }
        discard(instance);
        throw new TransformException(TransformException.Kind.LIMIT, stopped, null, null);
    }

    /** A new context with the code evaluated in it, under the same limits as a record. */
    private Instance instantiate() {
        Context context = Context.newBuilder("js")
                .engine(SharedEngine.ENGINE)
                .allowHostAccess(NO_HOST_ACCESS)
                .allowHostClassLookup(name -> false)
                .allowHostClassLoading(false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowInnerContextOptions(false)
                .allowExperimentalOptions(true)
                .option("js.load", "false")
                .option("js.print", "false")
                .option("js.polyglot-builtin", "false")
                .option("js.java-package-globals", "false")
                .option("js.string-length-limit", Integer.toString(limits.maxStringLength()))
                .option("js.max-typed-array-length", Integer.toString(limits.maxStringLength()))
                .resourceLimits(resourceLimits)
                .build();
        Value factory;
        try {
            // The context's own start (the JavaScript realm; about a second in a cold JVM) is not the author's to pay for.
            factory = context.eval(RUNTIME);
        } catch (RuntimeException e) {
            closeQuietly(context);
            throw e;
        }
        String stopped = null;
        try (Watchdog.Watch watch = Watchdog.watch(context, limits)) {
            try {
                Value result = context.eval(source);
                Value exported = context.getBindings("js").getMember("module").getMember("exports");
                Value transform = exported != null && exported.canExecute() ? exported : result != null && result.canExecute() ? result : null;
                if (transform == null) {
                    context.close();
                    throw new TransformException(TransformException.Kind.SYNTAX,
                            "the code must export a function: module.exports = (record) => { ...; return record; }", null, null);
                }
                Value runner = factory.execute(transform);
                stopped = watch.stopped();
                if (stopped == null) {
                    return new Instance(context, runner);
                }
            } catch (PolyglotException e) {
                stopped = watch.stopped();
                closeQuietly(context);
                throw translate(e, stopped);
            }
        }
        closeQuietly(context);
        throw new TransformException(TransformException.Kind.LIMIT, stopped, null, null);
    }

    private TransformException translate(PolyglotException e, String stoppedByWatchdog) {
        Integer[] place = place(e);
        if (stoppedByWatchdog != null) {
            return new TransformException(TransformException.Kind.LIMIT, stoppedByWatchdog, place[0], place[1]);
        }
        if (e.isResourceExhausted()) {
            return new TransformException(TransformException.Kind.LIMIT,
                    "the transform ran more than " + limits.statementLimit() + " statements for one record (statement limit)", place[0], place[1]);
        }
        if (e.isCancelled() || e.isInterrupted()) {
            return new TransformException(TransformException.Kind.LIMIT, "the transform was cancelled", place[0], place[1]);
        }
        String message = e.getMessage() == null ? "the transform failed" : e.getMessage();
        if (e.isSyntaxError()) {
            String first = message.lines().findFirst().orElse(message);
            return new TransformException(TransformException.Kind.SYNTAX, LOCATION_PREFIX.matcher(first).replaceFirst(""), place[0], place[1]);
        }
        if (e.isInternalError() || e.isHostException()) {
            return new TransformException(TransformException.Kind.RUNTIME, "the JavaScript engine failed on this record", place[0], place[1]);
        }
        if (message.contains(REFUSAL) || message.contains("Access to host class")) {
            return new TransformException(TransformException.Kind.REFUSED, message, place[0], place[1]);
        }
        if (message.startsWith("RangeError: Invalid string length") || message.startsWith("RangeError: Invalid typed array length")) {
            return new TransformException(TransformException.Kind.LIMIT, message + " (memory limit: strings and typed arrays of at most "
                    + limits.maxStringLength() + " elements)", place[0], place[1]);
        }
        return new TransformException(TransformException.Kind.RUNTIME, message, place[0], place[1]);
    }

    /** Line and column of the innermost frame in the author's code (not the runtime's wrapper), or nulls. */
    private static Integer[] place(PolyglotException e) {
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            SourceSection section = frame.getSourceLocation();
            if (section != null && section.isAvailable() && SOURCE_NAME.equals(section.getSource().getName())) {
                return new Integer[] {section.getStartLine(), section.getStartColumn()};
            }
        }
        SourceSection section = e.getSourceLocation();
        if (section != null && section.isAvailable() && SOURCE_NAME.equals(section.getSource().getName())) {
            return new Integer[] {section.getStartLine(), section.getStartColumn()};
        }
        return new Integer[] {null, null};
    }

    private void release(Instance instance) {
        if (closed) {
            closeQuietly(instance.context);
        } else {
            idle.offerFirst(instance);
        }
    }

    private static void discard(Instance instance) {
        closeQuietly(instance.context);
    }

    private static void closeQuietly(Context context) {
        try {
            context.close(true);
        } catch (RuntimeException e) {
            // Already closed (e.g. by the watchdog): nothing left to free.
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Instance instance = idle.pollFirst(); instance != null; instance = idle.pollFirst()) {
            closeQuietly(instance.context);
        }
    }

    private record Instance(Context context, Value runner) {
    }

    /**
     * One engine for every JavaScript transform in the JVM: parsed code is shared between contexts. It is warmed once
     * (parser, regular expressions, JSON, ICU's locale data) so that the seconds a cold JVM spends loading GraalJS are not
     * charged to the first author's per-record time limit.
     */
    private static final class SharedEngine {
        static final Engine ENGINE = warmed(Engine.newBuilder("js")
                .option("engine.WarnInterpreterOnly", "false")
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .build());

        private static Engine warmed(Engine engine) {
            try (Context context = Context.newBuilder("js").engine(engine).allowHostAccess(NO_HOST_ACCESS).build()) {
                context.eval("js", "const f = (r) => { r.p = String(r.p).replace(/[^0-9]/g, '') + `${r.q}`; return JSON.stringify(r); };"
                        + " f(JSON.parse('{\"p\":\"(555) 123\",\"q\":1}'));"
                        // ICU's data loads on first use, which takes a second or more in a cold JVM.
                        + " new Date(0).toLocaleDateString('en-US'); new Date(0).toLocaleString('de-DE'); (1234.5).toLocaleString('en-US');"
                        + " new Intl.NumberFormat('fr-FR', {style: 'currency', currency: 'EUR'}).format(1); 'é'.normalize('NFD');"
                        + " 'a'.localeCompare('b'); 'İ'.toLocaleLowerCase('tr');");
            }
            return engine;
        }
    }
}
