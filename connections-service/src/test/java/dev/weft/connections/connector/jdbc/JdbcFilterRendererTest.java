package dev.weft.connections.connector.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.mysql.MysqlConnectorDialectAccess;
import dev.weft.platform.filter.FilterParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rendering, value conversion, cursors and catalog entries, without a database. */
class JdbcFilterRendererTest {
    private static final TableInfo ORDERS = new TableInfo("s", "orders", false, List.of(
            column("id", ValueKind.INTEGER), column("name", ValueKind.STRING), column("amount", ValueKind.NUMBER),
            column("updated_at", ValueKind.TIMESTAMP), column("seen_at", ValueKind.TIMESTAMP_TZ)),
            List.of("id"), "updated_at");

    private static ColumnInfo column(String name, ValueKind kind) {
        return new ColumnInfo("orders", name, kind, kind.name().toLowerCase(), true, false, false, null);
    }

    @Test
    void values_are_bound_as_parameters_never_written_into_the_sql() {
        String hostile = "x'; DROP TABLE orders; --";
        JdbcFilterRenderer.Rendered rendered = JdbcFilterRenderer.render(
                FilterParser.parse("name = 'x''; DROP TABLE orders; --' OR name LIKE 'a%'"), ORDERS, MysqlConnectorDialectAccess.dialect());
        assertEquals("(`name` = ? OR `name` LIKE ?)", rendered.sql());
        assertEquals(List.of(hostile, "a%"), rendered.parameters().stream().map(JdbcFilterRenderer.BoundValue::value).toList());
        assertFalse(rendered.sql().contains("DROP"));
    }

    @Test
    void literals_are_converted_to_the_column_types() {
        JdbcFilterRenderer.Rendered rendered = JdbcFilterRenderer.render(
                FilterParser.parse("amount > 100 AND updated_at >= '2024-01-01' AND seen_at < '2024-01-01T02:00:00+02:00' AND id IN ('7', 8)"),
                ORDERS, MysqlConnectorDialectAccess.dialect());
        assertEquals("(`amount` > ? AND `updated_at` >= ? AND `seen_at` < ? AND `id` IN (?, ?))", rendered.sql());
        List<Object> values = rendered.parameters().stream().map(JdbcFilterRenderer.BoundValue::value).toList();
        assertEquals(new BigDecimal(100), values.get(0));
        assertEquals(LocalDateTime.of(2024, 1, 1, 0, 0), values.get(1));
        assertEquals(OffsetDateTime.parse("2024-01-01T02:00:00+02:00"), values.get(2));
        assertEquals(7L, values.get(3));
        assertEquals(8L, values.get(4));
    }

    @Test
    void unknown_fields_and_unconvertible_values_are_invalid_requests() {
        ConnectorException unknown = assertThrows(ConnectorException.class, () -> JdbcFilterRenderer.render(
                FilterParser.parse("secret = 1"), ORDERS, MysqlConnectorDialectAccess.dialect()));
        assertEquals(ConnectorException.Kind.INVALID, unknown.kind());
        ConnectorException type = assertThrows(ConnectorException.class, () -> JdbcFilterRenderer.render(
                FilterParser.parse("updated_at > 'yesterday'"), ORDERS, MysqlConnectorDialectAccess.dialect()));
        assertEquals("filter", type.details().get("field"));
    }

    @Test
    void cursors_round_trip_and_foreign_ones_are_refused() {
        JdbcCursor cursor = new JdbcCursor(JdbcCursor.Phase.VALUES, "2024-01-01T00:00:00Z", List.of(5, "a"), 0);
        assertEquals(cursor, JdbcCursor.decode(cursor.encode()));
        for (String foreign : List.of("garbage!", "eyJwIjoieiJ9", "bnVsbA")) {
            ConnectorException e = assertThrows(ConnectorException.class, () -> JdbcCursor.decode(foreign));
            assertEquals("cursor", e.details().get("field"));
        }
    }

    @Test
    void catalog_entries_accept_a_typical_config_and_refuse_unknown_settings() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonSchemaFactory schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        for (String provider : List.of("postgres", "mysql")) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("providers/" + provider + ".json")) {
                JsonNode entry = json.readTree(in);
                assertEquals(provider, entry.path("id").asText());
                var config = schemas.getSchema(entry.path("config_schema"));
                assertTrue(config.validate(json.readTree("{\"host\":\"db.example.com\",\"database\":\"app\",\"port\":5432}")).isEmpty());
                assertFalse(config.validate(json.readTree("{\"host\":\"db\",\"database\":\"app\",\"url\":\"jdbc:x\"}")).isEmpty());
                assertFalse(config.validate(json.readTree("{\"database\":\"app\"}")).isEmpty());
                JsonNode auth = entry.path("auth_types").get(0);
                assertEquals("database_credentials", auth.path("type").asText());
                var credentials = schemas.getSchema(auth.path("credentials_schema"));
                assertTrue(credentials.validate(json.readTree("{\"username\":\"u\",\"password\":\"p\"}")).isEmpty());
                assertFalse(credentials.validate(json.readTree("{\"password\":\"p\"}")).isEmpty());
            }
        }
    }
}
