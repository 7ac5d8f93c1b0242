package dev.weft.platform.events;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka headers of an event as a CloudEvent in binary mode, as the CloudEvents SDK's serializer writes them: same
 * names, values and order ({@code ce_specversion, ce_id, ce_source, ce_type, content-type, ce_subject, ce_time,
 * ce_orgid}, after a {@code traceparent} if any), the data as the record's value. Built here as bytes because the SDK
 * built an event object, formatted its time and encoded each attribute anew for every event: two fifths of the relay
 * thread's CPU (bench/changes, flight recording). What the events of one outbox row share is encoded once per row;
 * header objects are immutable and shared between records. OutboxTest decodes what this writes with the SDK.
 */
final class CloudEventHeaders {
    private static final Header SPEC_VERSION = header("ce_specversion", "1.0");
    private static final Header CONTENT_TYPE = header("content-type", "application/json");
    /** A service writes a handful of event types; the bound only keeps a hostile or buggy writer from growing it. */
    private static final int MAX_TYPES = 1024;

    private final Map<String, Header> types = new HashMap<>();
    /** The last source seen, with its header (a service's rows share one). */
    private String lastSource;
    private Header lastSourceHeader;

    /** What the events of one row share: its source, time, org and trace context, encoded once. */
    record Shared(Header source, Header time, Header orgId, Header traceparent) {
    }

    /**
     * Encodes a row's shared attributes. The source must be a URI, as the SDK requires; the time is written as the SDK
     * writes it ({@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}).
     */
    Shared shared(String source, OffsetDateTime time, String orgId, String traceparent) {
        if (source == null) {
            throw new IllegalStateException("an outbox row without a source");
        }
        if (!source.equals(lastSource)) {
            lastSourceHeader = header("ce_source", URI.create(source).toString());
            lastSource = source;
        }
        return new Shared(lastSourceHeader, header("ce_time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time)),
                orgId == null ? null : header("ce_orgid", orgId),
                traceparent == null ? null : new RecordHeader(TraceHeaders.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8)));
    }

    /** Adds an event's headers to {@code headers} (a new record's); id and type are required, as the SDK requires them. */
    void write(Headers headers, Shared shared, String eventId, String type, String subject) {
        if (eventId == null || type == null) {
            throw new IllegalStateException("an outbox event without an id or a type");
        }
        if (shared.traceparent() != null) {
            headers.add(shared.traceparent());
        }
        headers.add(SPEC_VERSION);
        headers.add(header("ce_id", eventId));
        headers.add(shared.source());
        headers.add(type(type));
        headers.add(CONTENT_TYPE);
        if (subject != null) {
            headers.add(header("ce_subject", subject));
        }
        headers.add(shared.time());
        if (shared.orgId() != null) {
            headers.add(shared.orgId());
        }
    }

    private Header type(String type) {
        Header header = types.get(type);
        if (header == null) {
            if (types.size() >= MAX_TYPES) {
                types.clear();
            }
            header = header("ce_type", type);
            types.put(type, header);
        }
        return header;
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
