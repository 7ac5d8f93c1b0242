package dev.weft.messaging.calendar;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.pagination.Cursor;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Calendar events of the current org: validated input (RFC 3339 times, end after start, attendees as emails, sizes),
 * lists by time range and by CRM entity, and one {@code calendar.event_*} event per change, whether the change came
 * through the API or from a provider's sync. A change to an event of a connection is marked for the sync worker
 * ({@link CalendarSync}) to write to the provider.
 */
@ApplicationScoped
public class CalendarService {
    static final Set<String> PROVIDERS = Set.of("google", "microsoft");
    private static final Set<String> FIELDS = Set.of("title", "start", "end", "description", "attendees", "connection_id", "location",
            "entity_type", "entity_id", "all_day");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>,;\"]+@[^@\\s<>,;\"]+\\.[^@\\s<>,;\"]+");
    static final int MAX_TITLE = 500;
    static final int MAX_DESCRIPTION = 8_000;
    static final int MAX_LOCATION = 500;
    static final int MAX_ATTENDEES = 200;

    private final CursorCodec cursors;
    private final MessagingEvents events;
    private final ChannelAccounts accounts;
    private final MessagingConfig config;

    public CalendarService(CursorCodec cursors, MessagingEvents events, ChannelAccounts accounts, MessagingConfig config) {
        this.cursors = cursors;
        this.events = events;
        this.accounts = accounts;
        this.config = config;
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    public CalendarDtos.EventView get(String id) {
        return view(require(id));
    }

    /** The org's event of this id, not deleted; another org's or a malformed id is a 404. */
    CalendarEvent require(String id) {
        CalendarEvent event = OrgScopedLookup.findById(CalendarEvent.class, Ids.require(CalendarEvent.ID_PREFIX, id, "calendar event"));
        if (event == null || event.deletedAt != null) {
            throw ApiException.notFound("calendar event");
        }
        return event;
    }

    /**
     * Events overlapping {@code [start, end)}, in start order. Seed 002's {@code page} (offset pages) or the cursor
     * (keyset on start and id, stable under inserts); not both.
     */
    public Page<CalendarDtos.EventView> list(String start, String end, String page, String limit, String cursor) {
        Instant from = rangeTime(start, "start");
        Instant to = rangeTime(end, "end");
        if (!to.isAfter(from)) {
            throw ApiException.invalid("end", "after_start", "end must be after start");
        }
        if (Duration.between(from, to).compareTo(config.calendar().maxRange()) > 0) {
            throw ApiException.invalid("end", "max_range", "start..end spans at most " + config.calendar().maxRange().toDays() + " days");
        }
        PageRequest request = PageRequest.of(limit, cursor, cursors);
        int offset = pageOffset(page, request);
        StringBuilder jpql = new StringBuilder("from CalendarEvent where deletedAt is null and startsAt < :to and endsAt > :from");
        request.after().ifPresent(after -> jpql.append(" and (startsAt > :kStart or (startsAt = :kStart and id > :kId))"));
        jpql.append(" order by startsAt, id");
        TypedQuery<CalendarEvent> query = Panache.getEntityManager(CalendarEvent.class).createQuery(jpql.toString(), CalendarEvent.class)
                .setParameter("from", from).setParameter("to", to);
        request.after().ifPresent(after -> query.setParameter("kStart", after.createdAt()).setParameter("kId", after.id()));
        List<CalendarEvent> rows = query.setFirstResult(offset).setMaxResults(request.limit() + 1).getResultList();
        return Page.of(rows, request, e -> new Cursor(e.startsAt, e.id), this::view, cursors);
    }

    /** Events linked to one CRM entity, in start order, cursor-paged the same way. */
    public Page<CalendarDtos.EventView> forEntity(EntityRef entity, String page, String limit, String cursor) {
        PageRequest request = PageRequest.of(limit, cursor, cursors);
        int offset = pageOffset(page, request);
        StringBuilder jpql = new StringBuilder("from CalendarEvent where deletedAt is null and entityType = :type and entityId = :id");
        request.after().ifPresent(after -> jpql.append(" and (startsAt > :kStart or (startsAt = :kStart and id > :kId))"));
        jpql.append(" order by startsAt, id");
        TypedQuery<CalendarEvent> query = Panache.getEntityManager(CalendarEvent.class).createQuery(jpql.toString(), CalendarEvent.class)
                .setParameter("type", entity.type()).setParameter("id", entity.id());
        request.after().ifPresent(after -> query.setParameter("kStart", after.createdAt()).setParameter("kId", after.id()));
        List<CalendarEvent> rows = query.setFirstResult(offset).setMaxResults(request.limit() + 1).getResultList();
        return Page.of(rows, request, e -> new Cursor(e.startsAt, e.id), this::view, cursors);
    }

    private static int pageOffset(String page, PageRequest request) {
        if (page == null || page.isBlank()) {
            return 0;
        }
        if (request.after().isPresent()) {
            throw ApiException.invalid("page", "one_of", "give page or cursor, not both");
        }
        int number;
        try {
            number = Integer.parseInt(page.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("page", "integer", "page must be an integer from 1");
        }
        if (number < 1 || number > 10_000) {
            throw ApiException.invalid("page", "range", "page must be between 1 and 10000");
        }
        return (number - 1) * request.limit();
    }

    // ---- writing -------------------------------------------------------------------------------------------------

    /** POST /v1/calendar/events (seed 002's body as written; optional connection_id, location, all_day, entity link). */
    @Transactional
    public CalendarDtos.EventView create(JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, FIELDS);
        CalendarEvent event = new CalendarEvent();
        event.title = required(Json.text(fields, "title", MAX_TITLE), "title");
        event.description = Json.text(fields, "description", MAX_DESCRIPTION);
        event.location = Json.text(fields, "location", MAX_LOCATION);
        event.startsAt = time(fields.get("start"), "start", true);
        event.endsAt = time(fields.get("end"), "end", true);
        Boolean allDay = Json.bool(fields, "all_day");
        event.allDay = allDay != null && allDay;
        event.attendees = attendees(fields.get("attendees"));
        EntityRef entity = EntityRef.optional(fields);
        if (entity != null) {
            event.entityType = entity.type();
            event.entityId = entity.id();
        }
        checkSpan(event.startsAt, event.endsAt);
        String connectionId = Json.text(fields, "connection_id", 64);
        if (connectionId != null) {
            ChannelAccounts.Account account = accounts.connection(connectionId, PROVIDERS).orElseThrow(() -> ApiException.invalid("connection_id",
                    "calendar_connection", "connection_id must be one of the org's google or microsoft connections"));
            event.connectionId = account.connectionId();
            event.provider = account.provider();
            event.pushPending = "create";
        }
        event.persist();
        if (event.connectionId != null) {
            CalendarSync.markDue(event.connectionId, event.provider);
        }
        CalendarDtos.EventView view = view(event);
        events.publish("calendar.event_created", event.eventId(), view, Map.of("linked_entities", linked(event)));
        Log.infof("event=calendar_event_created org_id=%s event_id=%s connection_id=%s", event.orgId, event.eventId(), event.connectionId);
        return view;
    }

    /** PATCH: the fields given change; end must stay after start; the connection cannot change. */
    @Transactional
    public CalendarDtos.EventView update(String id, JsonNode body) {
        Map<String, JsonNode> fields = Json.fields(body, FIELDS);
        if (fields.isEmpty()) {
            throw ApiException.invalid("body", "not_empty", "give at least one field to change");
        }
        CalendarEvent event = require(id);
        Map<String, Object> before = comparable(event);
        if (fields.containsKey("connection_id")) {
            String connectionId = Json.text(fields, "connection_id", 64);
            if (!Objects.equals(connectionId, event.connectionId)) {
                throw ApiException.invalid("connection_id", "immutable", "an event's connection cannot change; create the event on the other connection");
            }
        }
        if (fields.containsKey("title")) {
            event.title = required(Json.text(fields, "title", MAX_TITLE), "title");
        }
        if (fields.containsKey("description")) {
            event.description = Json.text(fields, "description", MAX_DESCRIPTION);
        }
        if (fields.containsKey("location")) {
            event.location = Json.text(fields, "location", MAX_LOCATION);
        }
        if (fields.containsKey("start")) {
            event.startsAt = time(fields.get("start"), "start", true);
        }
        if (fields.containsKey("end")) {
            event.endsAt = time(fields.get("end"), "end", true);
        }
        if (fields.containsKey("all_day")) {
            Boolean allDay = Json.bool(fields, "all_day");
            event.allDay = allDay != null && allDay;
        }
        if (fields.containsKey("attendees")) {
            event.attendees = attendees(fields.get("attendees"));
        }
        if (fields.containsKey("entity_type") || fields.containsKey("entity_id")) {
            EntityRef entity = EntityRef.optional(fields);
            event.entityType = entity == null ? null : entity.type();
            event.entityId = entity == null ? null : entity.id();
        }
        checkSpan(event.startsAt, event.endsAt);
        List<String> changed = changedFields(before, comparable(event));
        if (changed.isEmpty()) {
            return view(event);
        }
        boolean providerFields = changed.stream().anyMatch(f -> !f.equals("entity_type") && !f.equals("entity_id"));
        if (event.connectionId != null && providerFields && event.pushPending == null) {
            event.pushPending = event.providerEventId == null ? "create" : "update";
        }
        event.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (event.connectionId != null && providerFields) {
            CalendarSync.markDue(event.connectionId, event.provider);
        }
        CalendarDtos.EventView view = view(event);
        events.publish("calendar.event_updated", event.eventId(), view, Map.of("changed_fields", changed, "linked_entities", linked(event)));
        return view;
    }

    /** DELETE: a tombstone; an event already at the provider is deleted there by the sync worker. */
    @Transactional
    public void delete(String id) {
        CalendarEvent event = require(id);
        event.deletedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (event.connectionId != null && event.providerEventId != null) {
            event.pushPending = "delete";
            CalendarSync.markDue(event.connectionId, event.provider);
        } else {
            event.pushPending = null;
        }
        publishDeleted(event);
    }

    void publishDeleted(CalendarEvent event) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", event.eventId());
        data.put("org_id", event.orgId);
        data.put("connection_id", event.connectionId);
        data.put("provider_event_id", event.providerEventId);
        data.put("title", event.title);
        data.put("start", event.startsAt);
        data.put("end", event.endsAt);
        data.put("deleted_at", event.deletedAt);
        events.publish("calendar.event_deleted", event.eventId(), Map.of(), data);
    }

    void publishCreated(CalendarEvent event) {
        events.publish("calendar.event_created", event.eventId(), view(event), Map.of("linked_entities", linked(event)));
    }

    void publishUpdated(CalendarEvent event, List<String> changed) {
        events.publish("calendar.event_updated", event.eventId(), view(event), Map.of("changed_fields", changed, "linked_entities", linked(event)));
    }

    // ---- views and comparison ------------------------------------------------------------------------------------

    public CalendarDtos.EventView view(CalendarEvent e) {
        CalendarDtos.Conflict conflict = e.conflictAt == null ? null
                : new CalendarDtos.Conflict(e.conflictAt, "provider_wins", e.conflictLocal == null ? null : Json.parseObject(e.conflictLocal));
        String state = e.connectionId == null ? "local" : e.pushPending != null ? "pending" : "synced";
        return new CalendarDtos.EventView(e.eventId(), e.orgId == null ? TenantContext.requireOrgId() : e.orgId, e.connectionId, e.provider, e.providerEventId, e.title, e.description, e.location,
                e.startsAt, e.endsAt, e.allDay, e.status, e.organizer, List.of(e.attendees), e.etag, e.entityType,
                e.entityType == null ? null : new EntityRef(e.entityType, e.entityId).idForJson(), state, conflict, e.createdAt, e.updatedAt);
    }

    private static List<Map<String, String>> linked(CalendarEvent e) {
        return e.entityType == null ? List.of() : List.of(Map.of("entity_type", e.entityType, "entity_id", e.entityId));
    }

    /** The fields a change is reported in ({@code changed_fields}), under their API names. */
    static Map<String, Object> comparable(CalendarEvent e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", e.title);
        fields.put("description", e.description);
        fields.put("location", e.location);
        fields.put("start", e.startsAt);
        fields.put("end", e.endsAt);
        fields.put("all_day", e.allDay);
        fields.put("status", e.status);
        fields.put("organizer", e.organizer);
        fields.put("attendees", Arrays.asList(e.attendees));
        fields.put("entity_type", e.entityType);
        fields.put("entity_id", e.entityId);
        return fields;
    }

    static List<String> changedFields(Map<String, Object> before, Map<String, Object> after) {
        List<String> changed = new ArrayList<>();
        before.forEach((name, value) -> {
            if (!Objects.equals(value, after.get(name))) {
                changed.add(name);
            }
        });
        return changed;
    }

    /** The local state as JSON, kept as the discarded change of a conflict. */
    static String snapshot(CalendarEvent e, String change) {
        ObjectNode node = Json.newObject();
        node.put("change", change);
        node.put("title", e.title);
        node.put("description", e.description);
        node.put("location", e.location);
        node.put("start", e.startsAt.toString());
        node.put("end", e.endsAt.toString());
        node.put("all_day", e.allDay);
        var attendees = node.putArray("attendees");
        for (String attendee : e.attendees) {
            attendees.add(attendee);
        }
        return Json.write(node);
    }

    // ---- input ---------------------------------------------------------------------------------------------------

    private static String required(String value, String field) {
        if (value == null) {
            throw ApiException.invalid(field, "required", field + " is required");
        }
        return value;
    }

    /** An RFC 3339 date-time with an offset ({@code 2026-07-01T14:00:00Z}); kept at microsecond precision. */
    static Instant time(JsonNode node, String field, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiException.invalid(field, "required", field + " is required (RFC 3339, e.g. 2026-07-01T14:00:00Z)");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.invalid(field, "type", field + " must be an RFC 3339 date-time string");
        }
        return parseRfc3339(node.textValue(), field);
    }

    static Instant parseRfc3339(String text, String field) {
        try {
            if (text.length() > 40) {
                throw new DateTimeParseException("too long", text, 0);
            }
            Instant at = OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(ChronoUnit.MICROS);
            if (at.isBefore(Instant.parse("1900-01-01T00:00:00Z")) || at.isAfter(Instant.parse("2200-01-01T00:00:00Z"))) {
                throw ApiException.invalid(field, "range", field + " must be between 1900 and 2200");
            }
            return at;
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, "rfc3339", field + " must be an RFC 3339 date-time with an offset, e.g. 2026-07-01T14:00:00Z");
        }
    }

    /** A range bound of GET /v1/calendar/events: RFC 3339, or a plain date (seed 002 says "ISO date") meaning its start in UTC. */
    private static Instant rangeTime(String text, String field) {
        if (text == null || text.isBlank()) {
            throw ApiException.invalid(field, "required", field + " is required (RFC 3339, e.g. 2026-07-01T00:00:00Z)");
        }
        String trimmed = text.trim();
        if (trimmed.length() == 10) {
            try {
                return LocalDate.parse(trimmed).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.invalid(field, "rfc3339", field + " must be an RFC 3339 date-time or a date (YYYY-MM-DD)");
            }
        }
        return parseRfc3339(trimmed, field);
    }

    private void checkSpan(Instant start, Instant end) {
        if (!end.isAfter(start)) {
            throw ApiException.invalid("end", "after_start", "end must be after start");
        }
        if (Duration.between(start, end).compareTo(config.calendar().maxRange()) > 0) {
            throw ApiException.invalid("end", "max_range", "an event lasts at most " + config.calendar().maxRange().toDays() + " days");
        }
    }

    /** A list of email addresses (lower-cased, duplicates dropped); absent is none. */
    static String[] attendees(JsonNode node) {
        if (node == null || node.isNull()) {
            return new String[0];
        }
        if (!node.isArray()) {
            throw ApiException.invalid("attendees", "type", "attendees must be an array of email addresses");
        }
        if (node.size() > MAX_ATTENDEES) {
            throw ApiException.invalid("attendees", "max_items", "at most " + MAX_ATTENDEES + " attendees");
        }
        Set<String> emails = new LinkedHashSet<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.textValue().length() > 254 || !EMAIL.matcher(item.textValue().trim()).matches()) {
                throw ApiException.invalid("attendees", "email", "each attendee must be an email address, e.g. contact@company.com");
            }
            emails.add(item.textValue().trim().toLowerCase(Locale.ROOT));
        }
        return emails.toArray(String[]::new);
    }
}
