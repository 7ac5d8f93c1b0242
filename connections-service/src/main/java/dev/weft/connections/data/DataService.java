package dev.weft.connections.data;

import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionRuntime;
import dev.weft.connections.connection.CurrentConnections;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.CountSpec;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteMode;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;
import dev.weft.platform.filter.Filter;
import dev.weft.platform.filter.FilterParser;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.services.FieldRows;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data API: every request is checked against the connection's described objects before a
 * connector sees it (unknown objects and fields are 400s naming them), filters are parsed once into
 * the {@link Filter} tree, and connector cursors are sealed so a client can only hand back one this
 * connection and object produced.
 */
@ApplicationScoped
public class DataService {
    private static final int DEFAULT_QUERY_LIMIT = 100;
    private static final int DEFAULT_BATCH = 1000;

    private final CurrentConnections connections;
    private final ConnectionRuntime runtime;
    private final CursorCodec cursors;
    private final ConnectionsConfig config;
    private final ReadAhead readAhead;
    private final Map<String, CachedSchemas> schemas = new ConcurrentHashMap<>();

    public DataService(CurrentConnections connections, ConnectionRuntime runtime, CursorCodec cursors, ConnectionsConfig config, ReadAhead readAhead) {
        this.readAhead = readAhead;
        this.connections = connections;
        this.runtime = runtime;
        this.cursors = cursors;
        this.config = config;
    }

    private record CachedSchemas(Instant version, Instant expiresAt, Map<String, ObjectSchema> byName) {
    }

    private record Bound(Connection connection, Connector connector, ConnectorContext context) {
    }

    public DataDtos.ObjectList objects(String connectionId) {
        Bound bound = bind(connectionId);
        return new DataDtos.ObjectList(List.copyOf(schemas(bound).values()));
    }

    /** The described object of a connection of the current org, by any name the data API takes (400 when unknown). */
    public ObjectSchema describedObject(String connectionId, String object) {
        return object(bind(connectionId), object);
    }

    /**
     * A filter in the data API's grammar, checked against the object's fields and with their names as the object spells
     * them; null when there is none. A malformed filter or an unknown field is a 400 on {@code field}.
     */
    public static Filter checkedFilter(ObjectSchema schema, String filterText, String field) {
        Filter filter = FilterParser.parse(filterText);
        if (filter == null) {
            return null;
        }
        for (String name : filter.fields()) {
            if (schema.resolve(name).isEmpty()) {
                throw ApiException.invalid(field, "known_field", field + " names unknown field " + name + " of " + schema.name());
            }
        }
        return filter.renameFields(name -> schema.resolve(name).orElseThrow().name());
    }

    public DataDtos.RecordsResponse query(String connectionId, DataDtos.QueryRequest request) {
        Bound bound = bind(connectionId);
        ObjectSchema schema = object(bound, request.object());
        List<String> fields = fields(schema, request.fields(), "fields");
        Filter filter = checkedFilter(schema, request.filter(), "filter");
        int limit = bounded(request.limit(), DEFAULT_QUERY_LIMIT, config.data().maxQueryLimit(), "limit");
        String scope = scope(bound, schema);
        String cursor = request.cursor() == null || request.cursor().isBlank() ? null : cursors.open(scope, request.cursor());
        long started = System.nanoTime();
        RecordPage page = bound.connector().query(bound.context(), new QuerySpec(schema.name(), fields, filter, limit, cursor, schema));
        Log.infof("event=data_query org_id=%s connection_id=%s object=%s records=%d has_more=%s ms=%d", bound.connection().orgId, connectionId,
                schema.name(), page.records().size(), page.hasMore(), (System.nanoTime() - started) / 1_000_000);
        return records(page, scope);
    }

    /** The next batch of records changed after the cursor: the internal read sync-service streams with. */
    public DataDtos.RecordsResponse read(String connectionId, DataDtos.ReadRequest request) {
        Bound bound = bind(connectionId);
        ObjectSchema schema = object(bound, request.object());
        List<String> fields = fields(schema, request.fields(), "fields");
        int batchSize = bounded(request.batchSize(), DEFAULT_BATCH, config.data().maxBatchSize(), "batch_size");
        ObjectSchema readBy = readBy(schema, request.cursorField());
        String scope = readScope(bound, readBy, schema);
        String cursor = request.cursor() == null || request.cursor().isBlank() ? null : cursors.open(scope, request.cursor());
        Connector connector = bound.connector();
        RecordPage page = readAhead.take(readKey(bound, scope, schema, fields, cursor, batchSize))
                .orElseGet(() -> connector.read(bound.context(), new ReadSpec(schema.name(), fields, cursor, batchSize, readBy)));
        if (page.hasMore() && connector.readsAhead()) {
            // The run's next request will ask for the batch after this one: read it while this one travels.
            String next = page.nextCursor();
            readAhead.start(readKey(bound, scope, schema, fields, next, batchSize),
                    () -> connector.read(bound.context(), new ReadSpec(schema.name(), fields, next, batchSize, readBy)));
        }
        return records(page, scope);
    }

    private static ReadAhead.Key readKey(Bound bound, String scope, ObjectSchema schema, List<String> fields, String cursor, int batchSize) {
        Connection connection = bound.connection();
        return new ReadAhead.Key(connection.orgId, connection.connectionId(), connection.config, connection.credentials, scope, schema.name(),
                fields, cursor, batchSize);
    }

    /**
     * {@code schema} as a read following {@code cursorField} sees it: unchanged when none is named (or the default is); else
     * the field must be one of {@code cursor_fields}, or it is a 400 listing them.
     */
    private static ObjectSchema readBy(ObjectSchema schema, String cursorField) {
        if (cursorField == null || cursorField.isBlank()) {
            return schema;
        }
        String name = schema.resolve(cursorField).orElseThrow(() -> ApiException.invalid("cursor_field", "known_field",
                schema.name() + " has no field " + cursorField)).name();
        if (!schema.cursorFields().contains(name)) {
            throw ApiException.invalid("cursor_field", "cursor_field", schema.cursorFields().isEmpty()
                    ? schema.name() + " cannot be read by a cursor field"
                    : schema.name() + " cannot be read by " + name + "; its cursor_fields are " + schema.cursorFields());
        }
        return schema.readBy(name);
    }

    /** Where a read's cursors are sealed: the connection and object, and the cursor field when it is not the default. */
    private static String readScope(Bound bound, ObjectSchema readBy, ObjectSchema described) {
        String scope = scope(bound, described) + ":read";
        return java.util.Objects.equals(readBy.cursorField(), described.cursorField()) ? scope : scope + ":" + readBy.cursorField();
    }

    /**
     * The internal read in the format asked for: the row form when {@code format} is {@code rows} and the batch's records
     * all have the same fields (always so for a table), else the records form, which the caller then reads instead.
     */
    public Object readBatch(String connectionId, DataDtos.ReadRequest request) {
        String format = request.format() == null ? DataDtos.FORMAT_RECORDS : request.format();
        if (!format.equals(DataDtos.FORMAT_RECORDS) && !format.equals(DataDtos.FORMAT_ROWS)) {
            throw ApiException.invalid("format", "enum", "format must be records or rows");
        }
        DataDtos.RecordsResponse records = read(connectionId, request);
        if (format.equals(DataDtos.FORMAT_RECORDS)) {
            return records;
        }
        List<String> fields = FieldRows.sharedFields(records.data());
        if (fields == null) {
            return records;
        }
        return new DataDtos.RowsResponse(fields, new FieldRows.Rows(fields, records.data()), records.pagination());
    }

    public DataDtos.WriteResponse write(String connectionId, DataDtos.WriteRequest request) {
        Written written = write(connectionId, request.object(), request.mode(), request.key(), request.records(), null, null, null);
        return written.results();
    }

    /**
     * The internal batch write: the records form or the row form (field names resolved once, each row a record over its
     * values, no map built per record), answered with every record's result or, when asked, only the refused ones.
     */
    public Object writeBatch(String connectionId, DataDtos.BatchWriteRequest request) {
        String answer = request.answer() == null ? DataDtos.ANSWER_RESULTS : request.answer();
        if (!answer.equals(DataDtos.ANSWER_RESULTS) && !answer.equals(DataDtos.ANSWER_FAILURES)) {
            throw ApiException.invalid("answer", "enum", "answer must be results or failures");
        }
        if (request.records() != null && (request.fields() != null || request.rows() != null)) {
            throw ApiException.invalid("records", "exclusive", "send records, or fields and rows, not both");
        }
        Written written = write(connectionId, request.object(), request.mode(), request.key(), request.records(), request.fields(), request.rows(),
                request.writeId());
        if (answer.equals(DataDtos.ANSWER_RESULTS)) {
            return written.results();
        }
        List<DataDtos.WriteFailure> failures = new ArrayList<>();
        for (WriteResult.RecordResult r : written.result().results()) {
            if (!r.success()) {
                int index = r.index();
                String key = index >= 0 && index < written.records().size() ? WriteResult.RecordResult.idOf(written.key(), written.records().get(index)) : null;
                failures.add(new DataDtos.WriteFailure(index, key, r.error(), r.code()));
            }
        }
        DataDtos.WriteResponse results = written.results();
        return new DataDtos.FailuresResponse(results.object(), results.mode(), results.summary(), failures, results.replayed());
    }

    /** A checked write's records (canonical names), its key, and what the connector answered. */
    private record Written(String object, WriteMode mode, List<String> key, List<Map<String, Object>> records, WriteResult result) {
        DataDtos.WriteResponse results() {
            return new DataDtos.WriteResponse(object, mode, new DataDtos.Summary(result.results().size(), result.succeeded(), result.failed(), result.created(), result.updated()),
                    result.results(), result.replayed());
        }
    }

    private Written write(String connectionId, String object, WriteMode requestedMode, List<String> requestedKey, List<Map<String, Object>> records,
                          List<String> rowFields, List<Object[]> rows, String writeId) {
        Bound bound = bind(connectionId);
        ObjectSchema schema = object(bound, object);
        WriteMode mode = requestedMode == null ? WriteMode.INSERT : requestedMode;
        if (schema.writeModes() != null && !schema.writeModes().contains(mode)) {
            throw ApiException.invalid("mode", "supported_mode", schema.writeModes().isEmpty() ? schema.name() + " is read-only"
                    : schema.name() + " does not support " + mode.json() + "; it takes " + schema.writeModes().stream().map(WriteMode::json).sorted().toList());
        }
        boolean rowForm = rowFields != null || rows != null;
        String batchField = rowForm ? "rows" : "records";
        int count = rowForm ? (rows == null ? 0 : rows.size()) : (records == null ? 0 : records.size());
        if (rowForm && rowFields == null) {
            throw ApiException.invalid("fields", "required", "rows need fields: the names of their values, in order");
        }
        if (count == 0) {
            throw ApiException.invalid(batchField, "required", batchField + " must hold at least one record");
        }
        if (count > config.data().maxBatchSize()) {
            throw ApiException.invalid(batchField, "max_items", "at most " + config.data().maxBatchSize() + " records per write");
        }
        List<String> key = requestedKey == null || requestedKey.isEmpty() ? schema.primaryKey() : fields(schema, requestedKey, "key");
        if (mode != WriteMode.INSERT && (key == null || key.isEmpty())) {
            throw ApiException.invalid("key", "required", mode.json() + " needs a key: " + schema.name() + " has no primary key");
        }
        List<Map<String, Object>> checked = rowForm ? rowRecords(schema, rowFields, rows) : checkedRecords(schema, records);
        if (mode != WriteMode.INSERT) {
            for (int i = 0; i < checked.size(); i++) {
                Map<String, Object> record = checked.get(i);
                for (String k : key) {
                    if (record.get(k) == null) {
                        throw ApiException.invalid(batchField + "[" + i + "]." + k, "required", batchField + "[" + i + "] has no value for key field " + k);
                    }
                }
            }
        }
        long started = System.nanoTime();
        WriteResult result = bound.connector().write(bound.context(), new WriteSpec(schema.name(), mode, key, checked, schema, writeId));
        Log.infof("event=data_write org_id=%s connection_id=%s object=%s mode=%s records=%d failed=%d replayed=%s ms=%d", bound.connection().orgId,
                connectionId, schema.name(), mode.json(), checked.size(), result.failed(), result.replayed(), (System.nanoTime() - started) / 1_000_000);
        return new Written(schema.name(), mode, key, checked, result);
    }

    /** The records form: each record copied under the schema's spellings of its field names. */
    private static List<Map<String, Object>> checkedRecords(ObjectSchema schema, List<Map<String, Object>> records) {
        List<Map<String, Object>> checked = new ArrayList<>(records.size());
        // The records of a batch share a few field names: each is resolved against the schema once per call, not per record.
        Map<String, String> resolved = new java.util.HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> record = records.get(i);
            if (record == null) {
                throw ApiException.invalid("records[" + i + "]", "type", "records[" + i + "] must be an object");
            }
            Map<String, Object> canonical = LinkedHashMap.newLinkedHashMap(record.size());
            for (Map.Entry<String, Object> field : record.entrySet()) {
                String name = resolved.get(field.getKey());
                if (name == null) {
                    int index = i;
                    name = schema.resolve(field.getKey()).map(FieldSchema::name).orElseThrow(() -> ApiException.invalid("records[" + index + "]."
                            + field.getKey(), "known_field", schema.name() + " has no field " + field.getKey()));
                    resolved.put(field.getKey(), name);
                }
                canonical.put(name, field.getValue());
            }
            checked.add(canonical);
        }
        return checked;
    }

    /**
     * The row form: the field names resolved once (an unknown or repeated one is a 400 on {@code fields[i]}), each row
     * a record over its own values, not copied (a row of another length is a 400 on {@code rows[i]}).
     */
    private static List<Map<String, Object>> rowRecords(ObjectSchema schema, List<String> names, List<Object[]> rows) {
        if (names.isEmpty()) {
            throw ApiException.invalid("fields", "required", "fields must name at least one field of " + schema.name());
        }
        List<String> canonical = fields(schema, names, "fields");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int at = 0; at < canonical.size(); at++) {
            if (!seen.add(canonical.get(at))) {
                throw ApiException.invalid("fields[" + at + "]", "unique", "fields names " + canonical.get(at) + " more than once");
            }
        }
        FieldRows fields = FieldRows.of(canonical);
        List<Map<String, Object>> records = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = rows.get(i);
            if (row == null || row.length != fields.size()) {
                throw ApiException.invalid("rows[" + i + "]", "arity", "rows[" + i + "] must hold " + fields.size() + " values, one per field");
            }
            records.add(fields.record(row));
        }
        return records;
    }

    /** Field types a created table can have: the connectors' {@code FieldSchema} types. */
    static final java.util.Set<String> FIELD_TYPES = java.util.Set.of("string", "integer", "number", "boolean", "date", "datetime", "object", "array");

    /** The described object and whether this call created it. */
    public record Ensured(ObjectSchema object, boolean created) {
    }

    /**
     * The destination object a sync writes to: answered as described when it exists, else created by the connector
     * (typed from {@code fields}, primary key {@code key}); connectors that cannot create objects answer 400.
     */
    public Ensured ensureObject(String connectionId, DataDtos.EnsureObjectRequest request) {
        List<DataDtos.FieldSpec> requested = request.fields() == null ? List.of() : request.fields();
        if (requested.isEmpty()) {
            throw ApiException.invalid("fields", "required", "fields must name at least one field of " + request.object());
        }
        if (request.object().chars().anyMatch(Character::isISOControl) || request.object().startsWith(".") || request.object().endsWith(".")) {
            throw ApiException.invalid("object", "format", "object must be a table name, bare or schema.table");
        }
        List<FieldSchema> fields = new ArrayList<>(requested.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            DataDtos.FieldSpec field = requested.get(i);
            String at = "fields[" + i + "]";
            if (field == null || field.name() == null || field.name().isBlank() || field.name().length() > 128
                    || field.name().chars().anyMatch(Character::isISOControl)) {
                throw ApiException.invalid(at + ".name", "required", at + ".name must be a name of 1 to 128 characters");
            }
            String type = field.type() == null ? "string" : field.type();
            if (!FIELD_TYPES.contains(type)) {
                throw ApiException.invalid(at + ".type", "enum", at + ".type must be one of " + FIELD_TYPES.stream().sorted().toList());
            }
            if (!seen.add(field.name().toLowerCase(java.util.Locale.ROOT))) {
                throw ApiException.invalid(at + ".name", "unique", "field " + field.name() + " is named twice");
            }
            fields.add(new FieldSchema(field.name(), type, type, true, false));
        }
        List<String> key = new ArrayList<>();
        List<String> requestedKey = request.key() == null ? List.of() : request.key();
        for (int i = 0; i < requestedKey.size(); i++) {
            String name = requestedKey.get(i);
            int index = i;
            key.add(fields.stream().filter(f -> f.name().equalsIgnoreCase(String.valueOf(name))).findFirst()
                    .orElseThrow(() -> ApiException.invalid("key[" + index + "]", "known_field", "key names " + name + ", which is not among fields"))
                    .name());
        }
        Bound bound = bind(connectionId);
        Connector.EnsuredObject ensured = bound.connector().ensureObject(bound.context(),
                new ObjectSchema(request.object(), request.object(), List.copyOf(fields), List.copyOf(key), null, java.util.Set.of()));
        if (ensured.created()) {
            schemas.remove(connectionId);
            Log.infof("event=object_created org_id=%s connection_id=%s object=%s fields=%d", bound.connection().orgId, connectionId,
                    ensured.schema().name(), fields.size());
        }
        return new Ensured(ensured.schema(), ensured.created());
    }

    /** How many records a sync run will read, for its percent and ETA; null when the connector cannot count. */
    public DataDtos.CountResponse count(String connectionId, DataDtos.CountRequest request) {
        Bound bound = bind(connectionId);
        ObjectSchema schema = object(bound, request.object());
        Filter filter = checkedFilter(schema, request.filter(), "filter");
        if (request.after() != null && !request.after().isBlank()) {
            if (request.cursor() != null) {
                throw ApiException.invalid("after", "exclusive", "count after a read's cursor, or after a cursor_field's value, not both");
            }
            // After a read's cursor, cursor_field names the field that read followed; the cursor opens as the read opens it:
            // sealed for this connection, object and cursor field, so another's is refused.
            ObjectSchema readBy = readBy(schema, request.cursorField());
            String afterRead = cursors.open(readScope(bound, readBy, schema), request.after());
            return counted(bound.connector().count(bound.context(), new CountSpec(schema.name(), filter, null, null, readBy, afterRead)));
        }
        String cursorField = null;
        if (request.cursorField() != null && !request.cursorField().isBlank()) {
            cursorField = schema.resolve(request.cursorField()).orElseThrow(() -> ApiException.invalid("cursor_field", "known_field",
                    schema.name() + " has no field " + request.cursorField())).name();
        } else if (request.cursor() != null) {
            cursorField = schema.cursorField();
            if (cursorField == null) {
                throw ApiException.invalid("cursor_field", "required", "cursor needs a cursor_field: " + schema.name() + " has no default one");
            }
        }
        if (request.cursor() instanceof Map<?, ?> || request.cursor() instanceof List<?>) {
            throw ApiException.invalid("cursor", "type", "cursor must be a value of " + cursorField + " (a string, number or boolean)");
        }
        return counted(bound.connector().count(bound.context(), new CountSpec(schema.name(), filter, cursorField, request.cursor(), schema, null)));
    }

    private static DataDtos.CountResponse counted(java.util.OptionalLong count) {
        return new DataDtos.CountResponse(count.isPresent() ? count.getAsLong() : null);
    }

    private Bound bind(String connectionId) {
        Connection connection = connections.require(connectionId);
        return new Bound(connection, runtime.connector(connection), runtime.context(connection));
    }

    private ObjectSchema object(Bound bound, String name) {
        Map<String, ObjectSchema> byName = schemas(bound);
        ObjectSchema schema = described(byName, name);
        if (schema == null) {
            // another spelling the connector accepts, e.g. public.leads for leads
            String described = bound.connector().describedName(bound.context(), name);
            if (!described.equals(name)) {
                schema = described(byName, described);
            }
        }
        if (schema == null) {
            throw ApiException.invalid("object", "known_object", "connection has no object " + name + "; GET /v1/data/{connection_id}/objects lists them");
        }
        return schema;
    }

    private static ObjectSchema described(Map<String, ObjectSchema> byName, String name) {
        ObjectSchema schema = byName.get(name);
        return schema != null ? schema : byName.values().stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst().orElse(null);
    }

    private Map<String, ObjectSchema> schemas(Bound bound) {
        Connection connection = bound.connection();
        CachedSchemas cached = schemas.get(connection.connectionId());
        Instant now = Instant.now();
        if (cached == null || cached.expiresAt().isBefore(now) || !cached.version().equals(connection.updatedAt)) {
            Map<String, ObjectSchema> byName = new LinkedHashMap<>();
            for (ObjectSchema schema : bound.connector().describe(bound.context())) {
                byName.put(schema.name(), schema.withCursorFields(field -> bound.connector().readsBy(schema, field)));
            }
            cached = new CachedSchemas(connection.updatedAt, now.plus(config.data().schemaCacheTtl()), byName);
            schemas.put(connection.connectionId(), cached);
        }
        return cached.byName();
    }

    /** The requested fields as the object spells them (empty: all); an unknown one is a 400 on {@code field[i]}. */
    public static List<String> fields(ObjectSchema schema, List<String> requested, String field) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        List<String> resolved = new ArrayList<>(requested.size());
        for (int i = 0; i < requested.size(); i++) {
            String name = requested.get(i);
            if (name == null) {
                throw ApiException.invalid(field + "[" + i + "]", "required", field + "[" + i + "] is null");
            }
            int index = i;
            resolved.add(schema.resolve(name).orElseThrow(() -> ApiException.invalid(field + "[" + index + "]", "known_field",
                    schema.name() + " has no field " + name)).name());
        }
        return resolved;
    }

    private static int bounded(Integer value, int fallback, int max, String field) {
        if (value == null) {
            return Math.min(fallback, max);
        }
        if (value < 1 || value > max) {
            throw ApiException.invalid(field, "range", field + " must be between 1 and " + max);
        }
        return value;
    }

    private static String scope(Bound bound, ObjectSchema schema) {
        return "data:" + bound.connection().connectionId() + ":" + schema.name();
    }

    private DataDtos.RecordsResponse records(RecordPage page, String scope) {
        String next = page.nextCursor() == null ? null : cursors.seal(scope, page.nextCursor());
        return new DataDtos.RecordsResponse(page.records(), new DataDtos.Pagination(next, page.hasMore()));
    }
}
