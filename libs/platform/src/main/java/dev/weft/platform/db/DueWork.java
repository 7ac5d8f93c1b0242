package dev.weft.platform.db;

import dev.weft.platform.tenancy.SystemPrincipal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Time-based work claimed once across any number of replicas: one statement selects the due rows
 * with {@code FOR UPDATE SKIP LOCKED} (rows another replica is claiming are passed over) and moves
 * their lease column ahead, so a replica that dies mid-work hands its rows back when the lease
 * ends, and the rest never see them meanwhile. The work then runs per row as this service's system
 * principal inside the row's org. Health checks, token refresh, webhook retries, and the schedules
 * and delays of syncs and workflows all claim this way.
 */
@ApplicationScoped
public class DueWork {
    private final DataSource dataSource;
    private final SystemPrincipal system;
    private final MeterRegistry metrics;

    @Inject
    public DueWork(DataSource dataSource, SystemPrincipal system, MeterRegistry metrics) {
        this.dataSource = dataSource;
        this.system = system;
        this.metrics = metrics;
    }

    /** Without a registry of its own (tests): the claims are timed in Micrometer's global one. */
    public DueWork(DataSource dataSource, SystemPrincipal system) {
        this(dataSource, system, Metrics.globalRegistry);
    }

    /**
     * What to claim.
     *
     * @param table       the table (its key column is {@code id})
     * @param due         SQL condition on alias {@code c} that makes a row due, e.g. {@code c.next_check_at <= now()}
     * @param order       SQL ordering on alias {@code c}: the most overdue first
     * @param leaseColumn the column set to now + lease on each claimed row (often the due-time column itself)
     * @param set         more assignments on alias {@code t} made by the claim (null for none), e.g. a status the claimed rows take
     * @param select      what to read about the claimed rows: a SELECT over {@code claimed} (every column of the claimed rows)
     */
    public record Claim(String table, String due, String order, String leaseColumn, String ownerColumn, String set, String select) {
        public Claim {
            for (String identifier : ownerColumn == null ? List.of(table, leaseColumn) : List.of(table, leaseColumn, ownerColumn)) {
                if (!identifier.matches("[a-z_][a-z0-9_]*")) {
                    throw new IllegalArgumentException("not a plain SQL identifier: " + identifier);
                }
            }
        }

        public Claim(String table, String due, String order, String leaseColumn, String select) {
            this(table, due, order, leaseColumn, null, null, select);
        }

        /** Claims rows whose {@code column} has passed, moving that same column ahead by the lease; reads {@code columns}. */
        public static Claim dueBy(String table, String column, String columns) {
            return new Claim(table, "c." + column + " <= now()", "c." + column, column, "SELECT " + columns + " FROM claimed");
        }

        /**
         * The same claim, also writing who holds it into {@code column} (for work that stays with its holder while it
         * renews the lease, such as a running change stream).
         */
        public Claim ownedBy(String column) {
            return new Claim(table, due, order, leaseColumn, column, set, select);
        }

        /**
         * The same claim, also making {@code assignments} (SQL on alias {@code t}) on each claimed row in the claim's
         * statement: work that takes a state when claimed needs no second statement for it.
         */
        public Claim alsoSetting(String assignments) {
            return new Claim(table, due, order, leaseColumn, ownerColumn, assignments, select);
        }

        String sql() {
            return "WITH claimed AS (UPDATE " + table + " t SET " + leaseColumn + " = now() + make_interval(secs => ?)"
                    + (ownerColumn == null ? "" : ", " + ownerColumn + " = ?")
                    + (set == null ? "" : ", " + set)
                    + " WHERE t.id = ANY(ARRAY(SELECT c.id FROM " + table + " c WHERE " + due + " ORDER BY " + order
                    + " LIMIT ? FOR UPDATE OF c SKIP LOCKED)) RETURNING t.*) " + select;
        }
    }

    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** Binds the parameters of a claim's {@code due} condition (after the lease), if it has any. */
    @FunctionalInterface
    public interface Parameters {
        Parameters NONE = (statement, first) -> first;

        /** @return the index of the next parameter */
        int bind(PreparedStatement statement, int first) throws SQLException;
    }

    /** Claims up to {@code limit} due rows for {@code lease} on a connection of its own (committed at once). */
    public <T> List<T> claim(Claim claim, Parameters parameters, Duration lease, int limit, Row<T> row) {
        try (Connection db = dataSource.getConnection()) {
            return claim(db, claim, parameters, lease, limit, row);
        } catch (SQLException e) {
            throw new IllegalStateException("claiming due " + claim.table() + " failed: " + e.getMessage(), e);
        }
    }

    /** Claims on the caller's connection (and in its transaction, if any). */
    public <T> List<T> claim(Connection db, Claim claim, Parameters parameters, Duration lease, int limit, Row<T> row) throws SQLException {
        return claim(db, claim, null, parameters, lease, limit, row);
    }

    /** Claims for {@code owner} (a claim {@link Claim#ownedBy owned by} a column), on a connection of its own. */
    public <T> List<T> claim(Claim claim, String owner, Parameters parameters, Duration lease, int limit, Row<T> row) {
        try (Connection db = dataSource.getConnection()) {
            return claim(db, claim, owner, parameters, lease, limit, row);
        } catch (SQLException e) {
            throw new IllegalStateException("claiming due " + claim.table() + " failed: " + e.getMessage(), e);
        }
    }

    private <T> List<T> claim(Connection db, Claim claim, String owner, Parameters parameters, Duration lease, int limit, Row<T> row)
            throws SQLException {
        if ((claim.ownerColumn() == null) != (owner == null)) {
            throw new IllegalArgumentException("an owned claim needs its owner, and only it");
        }
        List<T> claimed = new ArrayList<>();
        // A claim's time is the first thing to look at when due work falls behind (a plan gone bad on stale statistics).
        Timer.Sample timing = Timer.start(metrics);
        try (PreparedStatement statement = db.prepareStatement(claim.sql())) {
            statement.setDouble(1, lease.toMillis() / 1000.0);
            int first = 2;
            if (owner != null) {
                statement.setString(first++, owner);
            }
            int next = parameters.bind(statement, first);
            statement.setInt(next, limit);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    claimed.add(row.read(rows));
                }
            }
        } finally {
            timing.stop(metrics.timer("weft.due_work.claim", "table", claim.table()));
        }
        return claimed;
    }

    /**
     * Runs {@code work} for each claimed item as the system principal of its org ({@code orgOf}). One item's failure is
     * logged with the item (keep claimed items to ids, no secrets) and does not stop the others; its lease brings it back.
     */
    public <T> void forEach(String what, List<T> claimed, Function<T, String> orgOf, java.util.function.Consumer<T> work) {
        for (T item : claimed) {
            try {
                system.runAs(orgOf.apply(item), () -> work.accept(item));
            } catch (RuntimeException e) {
                // The claimed item (a record of ids) names the row, so the failure can be traced to it.
                String claimedItem = String.valueOf(item);
                Log.warnf("event=due_work_failed work=%s org_id=%s item=\"%s\" error=%s message=\"%s\"", what, orgOf.apply(item),
                        claimedItem.length() > 200 ? claimedItem.substring(0, 200) : claimedItem, e.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
