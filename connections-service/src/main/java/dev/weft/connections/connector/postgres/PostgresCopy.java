package dev.weft.connections.connector.postgres;

import dev.weft.connections.connector.jdbc.ColumnInfo;
import dev.weft.connections.connector.jdbc.ValueKind;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Plain INSERTs of many rows as one {@code COPY ... FROM STDIN} in PostgreSQL's text format. Every
 * value goes as the text the column's input function parses, which is what an INSERT with
 * {@code stringtype=unspecified} sends too, so both paths store the same thing. Values this class
 * cannot render exactly as the INSERT path would (arrays, dates outside years 1-9999, integers
 * beyond a bigint) and tables where COPY behaves differently (rules, row-level security) are left
 * to the INSERT path.
 */
final class PostgresCopy {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PostgresCopy() {
    }

    /** Loads {@code rows} into {@code qualifiedTable}; false, with nothing sent, when COPY cannot carry them. */
    static boolean copyIn(Connection connection, String qualifiedTable, List<ColumnInfo> columns, List<Object[]> rows,
                          UnaryOperator<String> quote) throws SQLException {
        for (ColumnInfo column : columns) {
            if (column.kind() == ValueKind.ARRAY) {
                return false;
            }
        }
        StringBuilder text = new StringBuilder(rows.size() * columns.size() * 16);
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    text.append('\t');
                }
                if (!append(text, row[i], columns.get(i))) {
                    return false;
                }
            }
            text.append('\n');
        }
        if (!copyBehavesLikeInsert(connection, qualifiedTable)) {
            return false;
        }
        StringBuilder sql = new StringBuilder("COPY ").append(qualifiedTable).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i > 0 ? ", " : "").append(quote.apply(columns.get(i).name()));
        }
        sql.append(") FROM STDIN");
        // the driver always sets client_encoding to UTF8
        byte[] data = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString(), new ByteArrayInputStream(data));
        } catch (IOException e) {
            throw new SQLException("COPY into " + qualifiedTable + " failed: " + e.getMessage(), e);
        }
        return true;
    }

    /** COPY FROM ignores rules and is refused under row-level security, where an INSERT applies both. */
    private static boolean copyBehavesLikeInsert(Connection connection, String qualifiedTable) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT c.relhasrules OR c.relrowsecurity FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(?)")) {
            statement.setString(1, qualifiedTable);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && !result.getBoolean(1) && !result.wasNull();
            }
        }
    }

    /**
     * Appends one value, converted by {@code JdbcValues.toJdbc}, in COPY text format: {@code \N}
     * for null; backslash, tab, newline and carriage return escaped in text. False when the value
     * is one this class leaves to the INSERT path.
     */
    static boolean append(StringBuilder out, Object value, ColumnInfo column) {
        switch (value) {
            case null -> out.append("\\N");
            case Long l -> out.append(l.longValue());
            case BigDecimal decimal -> {
                if (column.kind() != ValueKind.NUMBER) {
                    // only integers beyond a bigint get here: the INSERT path reports them
                    return false;
                }
                // numeric, real and double precision all read exponent notation
                out.append(decimal);
            }
            case Boolean b -> out.append(b ? 't' : 'f');
            case String s -> appendText(out, s);
            case LocalDate date -> {
                if (!inPlainYears(date)) {
                    return false;
                }
                out.append(date);
            }
            case LocalDateTime dateTime -> {
                return appendDateTime(out, dateTime, false);
            }
            case OffsetDateTime dateTime -> {
                return appendDateTime(out, dateTime.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime(), true);
            }
            case byte[] bytes -> {
                // bytea's hex input, its backslash escaped for COPY
                out.append("\\\\x");
                for (byte b : bytes) {
                    out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void appendText(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    /** ISO date, time to the microsecond (rounded half up, as the driver does for a bound value), and "+00" in UTC. */
    private static boolean appendDateTime(StringBuilder out, LocalDateTime value, boolean utcOffset) {
        LocalDateTime rounded = value.withNano(0).plusNanos((value.getNano() + 500L) / 1000 * 1000);
        if (!inPlainYears(rounded.toLocalDate())) {
            return false;
        }
        out.append(rounded.toLocalDate()).append(' ');
        pad2(out, rounded.getHour()).append(':');
        pad2(out, rounded.getMinute()).append(':');
        pad2(out, rounded.getSecond());
        int micros = rounded.getNano() / 1000;
        if (micros != 0) {
            String digits = Integer.toString(micros);
            out.append('.').append("000000", digits.length(), 6).append(digits);
        }
        if (utcOffset) {
            out.append("+00");
        }
        return true;
    }

    private static StringBuilder pad2(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** Years PostgreSQL and java.time write alike (four digits, AD). */
    private static boolean inPlainYears(LocalDate date) {
        return date.getYear() >= 1 && date.getYear() <= 9999;
    }
}
