package dev.weft.platform.events;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.StreamSupport;

/** W3C trace context across Kafka: captured when an event is written, restored by its consumer. */
public final class TraceHeaders {
    public static final String TRACEPARENT = "traceparent";

    private TraceHeaders() {
    }

    /** The current span as a {@code traceparent} value, or null outside a trace. */
    public static String currentTraceparent() {
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** The context to continue the trace of a {@code traceparent} value (the current one when null). */
    public static Context extract(String traceparent) {
        if (traceparent == null) {
            return Context.current();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.current(), Map.of(TRACEPARENT, traceparent), new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(Map<String, String> carrier) {
                return carrier.keySet();
            }

            @Override
            public String get(Map<String, String> carrier, String key) {
                return carrier == null ? null : carrier.get(key);
            }
        });
    }

    /** The context a consumer should run its handler in, continuing the producer's trace. */
    public static Context extract(Headers headers) {
        return W3CTraceContextPropagator.getInstance().extract(Context.current(), headers, new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(Headers carrier) {
                return StreamSupport.stream(carrier.spliterator(), false).map(Header::key).toList();
            }

            @Override
            public String get(Headers carrier, String key) {
                Header header = carrier == null ? null : carrier.lastHeader(key);
                return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            }
        });
    }
}
