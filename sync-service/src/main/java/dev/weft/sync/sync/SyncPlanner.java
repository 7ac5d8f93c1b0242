package dev.weft.sync.sync;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.FilterParser;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.services.ServiceCallException;
import dev.weft.sync.connections.ConnectionsApi;
import dev.weft.sync.connections.ConnectionsClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a sync against what its two connections describe and turns it into a {@link SyncPlan}. Every refusal is a 400
 * naming the field ({@code source.object}, {@code field_mappings[1].destination}, ...) and the unknown name.
 */
@ApplicationScoped
public class SyncPlanner {
    public static final Set<String> MODES = Set.of("insert", "upsert", "mirror");

    private final ConnectionsClient connections;

    public SyncPlanner(ConnectionsClient connections) {
        this.connections = connections;
    }

    /**
     * Whether a run of this plan can detect deletes by comparing keys (a full-refresh run; a mirror's every run): a 400 on
     * {@code full_refresh} when it cannot. An insert sync has no key to compare; the destination must take the same
     * deletes as a mirror's.
     */
    public static void checkFullRefresh(SyncPlan plan) {
        if (plan.key().isEmpty()) {
            throw ApiException.invalid("full_refresh", "supported_mode", "full_refresh needs a key to compare: this sync inserts into "
                    + plan.destination().name() + " without one, so it cannot tell which rows the source deleted; "
                    + "give it destination.key and mode upsert");
        }
        String refused = whyNoDeletes(plan.destination(), "full_refresh");
        if (refused != null) {
            throw ApiException.invalid("full_refresh", "supported_mode", refused);
        }
    }

    /** Why {@code what} (mirror, full_refresh) cannot delete from {@code to}; null when it can. */
    private static String whyNoDeletes(ConnectionsApi.ObjectSchema to, String what) {
        if (!to.takes("delete")) {
            // Deleting what the source no longer has.
            return to.name() + " does not take delete writes, which " + what + " needs; it takes " + to.writeModes();
        }
        if (to.primaryKey() == null || to.primaryKey().isEmpty()) {
            // The delete phase pages through the destination's keys while deleting; only a keyed read (after the last key)
            // is not shifted by the rows it deletes, and a table without a primary key is read by offset.
            return what + " needs a destination with a primary key: " + to.name() + " has none, so its rows cannot be paged safely while deleting";
        }
        return null;
    }

    public SyncPlan plan(SyncDtos.SyncRequest sync) {
        SyncDtos.Source source = sync.source();
        SyncDtos.Destination destination = sync.destination();
        String sourceConnection = connectionId(source.connectionId(), "source.connection_id");
        String destinationConnection = connectionId(destination.connectionId(), "destination.connection_id");

        // The source: its object, the fields asked for, the cursor, the filters.
        ConnectionsApi.ObjectSchema from = object(sourceConnection, source.object(), "source.connection_id", "source.object");
        List<String> fields = new ArrayList<>();
        if (source.fields() != null) {
            for (int i = 0; i < source.fields().size(); i++) {
                fields.add(field(from, source.fields().get(i), "source.fields[" + i + "]"));
            }
        }
        if (source.cursorField() != null) {
            String cursor = field(from, source.cursorField(), "source.cursor_field");
            List<String> readable = from.readableBy();
            if (readable.isEmpty()) {
                // Taken silently, the field would be dropped and the object read by key or position instead of by it.
                throw ApiException.invalid("source.cursor_field", "cursor_field", from.name() + " cannot be read by a cursor field"
                        + " (its describe names none); leave cursor_field out, and each run reads what comes after the last key"
                        + " read before it (past the last position, without a key)");
            }
            if (!readable.contains(cursor)) {
                throw ApiException.invalid("source.cursor_field", "cursor_field", from.name() + " cannot be read incrementally by "
                        + cursor + "; cursor_field must be one of " + readable + " (describe's cursor_fields) or left out");
            }
            // From here on the object is as the run reads it: by the chosen field.
            from = from.readBy(cursor);
        }
        List<Filter> conditions = new ArrayList<>();
        if (source.filter() != null && !source.filter().isBlank()) {
            conditions.add(filter(from, source.filter(), "source.filter"));
        }
        if (sync.filters() != null) {
            for (int i = 0; i < sync.filters().size(); i++) {
                String text = sync.filters().get(i);
                if (text == null || text.isBlank()) {
                    throw ApiException.invalid("filters[" + i + "]", "required", "filters[" + i + "] is empty");
                }
                conditions.add(filter(from, text, "filters[" + i + "]"));
            }
        }
        Filter filter = conditions.isEmpty() ? null : conditions.size() == 1 ? conditions.getFirst() : new Filter.And(List.copyOf(conditions));

        // The destination: its object, mode and key.
        String targetField = destination.table() != null ? "destination.table" : "destination.object";
        ConnectionsApi.ObjectSchema to = find(destinationConnection, destination.target(), "destination.connection_id", targetField);
        if (to == null) {
            to = create(destinationConnection, destination.target().trim(), targetField, from, fields, sync);
        }
        String mode = destination.mode() == null ? null : destination.mode().trim().toLowerCase(Locale.ROOT);
        List<String> key = new ArrayList<>();
        if (destination.key() != null) {
            for (int i = 0; i < destination.key().size(); i++) {
                key.add(field(to, destination.key().get(i), "destination.key[" + i + "]"));
            }
        }
        if (key.isEmpty() && to.primaryKey() != null) {
            key.addAll(to.primaryKey());
        }
        if (mode == null) {
            // Upsert when records can be matched (a replayed batch is then harmless), insert otherwise.
            mode = key.isEmpty() || !to.takes("upsert") ? "insert" : "upsert";
        }
        if (!MODES.contains(mode)) {
            throw ApiException.invalid("destination.mode", "enum", "destination.mode must be insert, upsert or mirror");
        }
        String writeMode = mode.equals("insert") ? "insert" : "upsert";
        if (!to.takes(writeMode)) {
            throw ApiException.invalid("destination.mode", "supported_mode", to.name() + " does not take " + writeMode + " writes; it takes " + to.writeModes());
        }
        if (mode.equals("mirror")) {
            String refused = whyNoDeletes(to, "mirror");
            if (refused != null) {
                throw ApiException.invalid("destination.mode", "supported_mode", refused);
            }
        }
        if (!writeMode.equals("insert") && key.isEmpty()) {
            throw ApiException.invalid("destination.key", "required", mode + " needs a key: " + to.name() + " has no primary key, so name the key fields");
        }
        if (writeMode.equals("insert")) {
            key.clear();
        }

        // The mappings: given, or every field both sides have by name.
        List<SyncPlan.Mapping> mappings = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        if (sync.fieldMappings() != null && !sync.fieldMappings().isEmpty()) {
            for (int i = 0; i < sync.fieldMappings().size(); i++) {
                SyncDtos.FieldMapping mapping = sync.fieldMappings().get(i);
                if (mapping == null) {
                    throw ApiException.invalid("field_mappings[" + i + "]", "required", "field_mappings[" + i + "] is null");
                }
                String s = field(from, mapping.source(), "field_mappings[" + i + "].source");
                String d = field(to, mapping.destination(), "field_mappings[" + i + "].destination");
                if (!targets.add(d)) {
                    throw ApiException.invalid("field_mappings[" + i + "].destination", "unique", "field_mappings map two fields to " + d);
                }
                if (!fields.isEmpty() && !fields.contains(s)) {
                    throw ApiException.invalid("field_mappings[" + i + "].source", "read_field", s + " is mapped but not in source.fields");
                }
                mappings.add(new SyncPlan.Mapping(s, d, mapping.transform()));
            }
        } else {
            List<String> candidates = fields.isEmpty() ? from.fields().stream().map(ConnectionsApi.FieldSchema::name).toList() : fields;
            for (String s : candidates) {
                to.resolve(s).filter(f -> !f.readOnly()).ifPresent(d -> {
                    if (targets.add(d.name())) {
                        mappings.add(new SyncPlan.Mapping(s, d.name(), null));
                    }
                });
            }
            if (mappings.isEmpty()) {
                throw ApiException.invalid("field_mappings", "required", from.name() + " and " + to.name()
                        + " have no field in common: field_mappings must say where fields go");
            }
        }
        for (int i = 0; i < key.size(); i++) {
            if (!targets.contains(key.get(i))) {
                throw ApiException.invalid(destination.key() == null ? "destination.key" : "destination.key[" + i + "]", "mapped",
                        "key field " + key.get(i) + " of " + to.name() + " gets no value from field_mappings");
            }
        }

        // What to read: the fields asked for; else, without transforms (which may read anything), what is mapped or filtered.
        List<String> read = fields;
        boolean transforms = sync.transformId() != null && !sync.transformId().isBlank()
                || mappings.stream().anyMatch(m -> m.transform() != null && !m.transform().isBlank());
        if (read.isEmpty() && !transforms) {
            Set<String> needed = new LinkedHashSet<>();
            mappings.forEach(m -> needed.add(m.source()));
            if (filter != null) {
                needed.addAll(filter.fields());
            }
            if (from.cursorField() != null) {
                needed.add(from.cursorField());
            }
            if (from.primaryKey() != null) {
                // A refused record is reported by its source key.
                needed.addAll(from.primaryKey());
            }
            read = List.copyOf(needed);
        }
        return new SyncPlan(sourceConnection, from, List.copyOf(read), filter, destinationConnection, to, List.copyOf(mappings), mode, writeMode,
                List.copyOf(key));
    }

    private static String connectionId(String id, String field) {
        if (id == null || id.isBlank()) {
            throw ApiException.invalid(field, "required", field + " is required");
        }
        if (TypeId.parse("conn", id.trim()).isEmpty()) {
            throw ApiException.invalid(field, "known_connection", field + " " + id + " is not a connection id (conn_...)");
        }
        return id.trim();
    }

    private ConnectionsApi.ObjectSchema object(String connectionId, String name, String connectionField, String objectField) {
        ConnectionsApi.ObjectSchema found = find(connectionId, name, connectionField, objectField);
        if (found == null) {
            throw ApiException.invalid(objectField, "known_object", "connection " + connectionId + " has no object " + name.trim());
        }
        return found;
    }

    /**
     * A destination that does not exist yet is created, if its system can (a database, Snowflake): typed from the source's
     * fields, under the names the mappings give them, keyed by {@code destination.key}. A system that cannot create
     * objects leaves it a 400 naming the table.
     */
    private ConnectionsApi.ObjectSchema create(String connectionId, String name, String objectField, ConnectionsApi.ObjectSchema from,
                                               List<String> fields, SyncDtos.SyncRequest sync) {
        List<ConnectionsApi.FieldSpec> columns = new ArrayList<>();
        if (sync.fieldMappings() != null && !sync.fieldMappings().isEmpty()) {
            for (int i = 0; i < sync.fieldMappings().size(); i++) {
                SyncDtos.FieldMapping mapping = sync.fieldMappings().get(i);
                if (mapping == null || mapping.destination() == null || mapping.destination().isBlank()) {
                    throw ApiException.invalid("field_mappings[" + i + "].destination", "required", "field_mappings[" + i + "].destination is required");
                }
                String source = field(from, mapping.source(), "field_mappings[" + i + "].source");
                columns.add(new ConnectionsApi.FieldSpec(mapping.destination().trim(), from.resolve(source).orElseThrow().type()));
            }
        } else {
            for (ConnectionsApi.FieldSchema field : from.fields()) {
                if (fields.isEmpty() || fields.contains(field.name())) {
                    columns.add(new ConnectionsApi.FieldSpec(field.name(), field.type()));
                }
            }
        }
        List<String> key = sync.destination().key() == null ? List.of() : sync.destination().key();
        try {
            return connections.ensureObject(connectionId, new ConnectionsApi.EnsureObject(name, columns, key));
        } catch (ServiceCallException e) {
            if (e.status() == 400) {
                throw ApiException.invalid(objectField, "known_object", "connection " + connectionId + " has no object " + name
                        + ", and it cannot be created: " + e.reason());
            }
            throw e.asApiException();
        }
    }

    /** The described object of this name, or null when the connection has none. */
    private ConnectionsApi.ObjectSchema find(String connectionId, String name, String connectionField, String objectField) {
        if (name == null || name.isBlank()) {
            throw ApiException.invalid(objectField, "required", objectField + " is required");
        }
        List<ConnectionsApi.ObjectSchema> objects;
        try {
            objects = connections.objects(connectionId);
        } catch (ServiceCallException e) {
            if (e.status() == 404) {
                throw ApiException.invalid(connectionField, "known_connection", "no connection " + connectionId + " in this organization");
            }
            throw e.asApiException();
        }
        String wanted = name.trim();
        return objects.stream().filter(o -> o.name().equals(wanted)).findFirst()
                .or(() -> objects.stream().filter(o -> o.name().equalsIgnoreCase(wanted)).findFirst())
                // SQL connectors describe the default schema's tables bare: public.leads is leads.
                .or(() -> wanted.contains(".") ? objects.stream().filter(o -> o.name().equalsIgnoreCase(wanted.substring(wanted.indexOf('.') + 1))
                        && wanted.substring(0, wanted.indexOf('.')).equalsIgnoreCase("public")).findFirst() : java.util.Optional.empty())
                .orElse(null);
    }

    private static String field(ConnectionsApi.ObjectSchema object, String name, String field) {
        if (name == null || name.isBlank()) {
            throw ApiException.invalid(field, "required", field + " is required");
        }
        return object.resolve(name.trim()).map(ConnectionsApi.FieldSchema::name)
                .orElseThrow(() -> ApiException.invalid(field, "known_field", object.name() + " has no field " + name.trim()));
    }

    private static Filter filter(ConnectionsApi.ObjectSchema object, String text, String field) {
        Filter parsed;
        try {
            parsed = FilterParser.parse(text);
        } catch (ApiException e) {
            // The parser names "filter"; say which of the sync's filters it was.
            Map<String, Object> details = new java.util.HashMap<>(e.details());
            details.put("field", field);
            throw new ApiException(e.code(), field + ": " + e.getMessage(), details);
        }
        for (String name : parsed.fields()) {
            if (object.resolve(name).isEmpty()) {
                throw ApiException.invalid(field, "known_field", field + " names unknown field " + name + " of " + object.name());
            }
        }
        return parsed.renameFields(name -> object.resolve(name).orElseThrow().name());
    }
}
