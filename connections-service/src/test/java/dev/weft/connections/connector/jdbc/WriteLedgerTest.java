package dev.weft.connections.connector.jdbc;

import dev.weft.connections.connector.postgres.PostgresConnector;
import dev.weft.connections.support.Databases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write ledger on the machine's PostgreSQL, where the writing role may not create tables. */
class WriteLedgerTest {
    private static final Databases.Target TARGET = Databases.postgres();

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-12-08T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(TARGET.adminUrl(), TARGET.username(), TARGET.password());
    }

    /**
     * A schema where the writing role may not create the ledger: writes go on without it, and a privilege granted later
     * takes effect at the first write after the retry interval, not only after a restart (it was remembered for the
     * process's life before).
     */
    @Test
    void a_ledger_that_could_not_be_made_is_made_once_the_privilege_is_granted() throws SQLException {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String schema = "weft_l_" + suffix;
        String role = "weft_l_" + suffix;
        SqlDialect dialect = ((JdbcConnector) new PostgresConnector()).dialect();
        MovableClock clock = new MovableClock();
        WriteLedger ledger = new WriteLedger(clock);
        try (Connection admin = admin(); Statement ddl = admin.createStatement(); Connection writer = admin(); Statement as = writer.createStatement()) {
            ddl.execute("CREATE SCHEMA " + schema);
            ddl.execute("CREATE ROLE " + role);
            ddl.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            as.execute("SET ROLE " + role);
            try {
                assertFalse(ledger.usable(writer, dialect, "scope", schema), "no CREATE on the schema: no ledger");

                ddl.execute("GRANT CREATE ON SCHEMA " + schema + " TO " + role);
                assertFalse(ledger.usable(writer, dialect, "scope", schema), "within the retry interval the schema is not tried again");

                clock.advance(WriteLedger.RETRY_UNAVAILABLE.plusSeconds(1));
                assertTrue(ledger.usable(writer, dialect, "scope", schema), "tried again after the interval, with the privilege now granted");
                try (ResultSet table = ddl.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema
                        + "' AND table_name = '" + WriteLedger.TABLE + "'")) {
                    table.next();
                    assertTrue(table.getInt(1) == 1, "the ledger table is there");
                }
            } finally {
                as.execute("RESET ROLE");
                ddl.execute("DROP SCHEMA " + schema + " CASCADE");
                ddl.execute("DROP ROLE " + role);
            }
        }
    }
}
