package dev.weft.platform.schedule;

import dev.weft.platform.db.Timestamps;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * A service's schedules: one row per resource that runs on a clock (a sync, a workflow's schedule
 * trigger), written with that resource. Every method works in the caller's transaction, if any, and
 * inside the caller's org; the {@link SchedulePoller} fires them.
 *
 * <p><b>Why a lease table and not Quartz.</b> A schedule is per-resource data, created, edited and
 * deleted through the API in the same transaction as its resource; a refused cron expression must
 * roll back the sync that carried it, and a deleted sync must take its schedule with it. Quartz's
 * JDBC store is a second scheduler beside ours, with its own eleven tables, its own transactions
 * and its own cluster check-in, holding copies of our rows. The platform already claims due rows
 * once across replicas ({@link dev.weft.platform.db.DueWork}), so a schedule is one more such row.
 *
 * <p><b>Times.</b> A new or edited schedule is first due at its first time after the write; the
 * same expression and zone written again leave the next due time alone. A paused schedule has no
 * due time; resumed, it is next due at its first time after the resume, and what it missed while
 * paused is not fired. After downtime, a schedule that missed several times fires once (see
 * {@link SchedulePoller}).
 *
 * <p>{@code realtime} (a sync that follows change events) is no schedule: the caller removes the
 * row instead of writing one.
 */
@ApplicationScoped
public class Schedules {
    private static final String COLUMNS = "kind, owner_id, org_id, expression, timezone, enabled, next_fire_at, last_fired_at, last_outcome";

    private final DataSource dataSource;
    private final java.time.Clock clock;

    public Schedules(DataSource dataSource, java.time.Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /**
     * Creates or changes the schedule of {@code ownerId} in the caller's org and transaction.
     *
     * @throws dev.weft.platform.error.ApiException 400 {@code INVALID_REQUEST} with field {@code schedule} or
     *                                              {@code timezone} when the expression or the zone is refused
     */
    public Schedule upsert(String kind, String ownerId, String expression, String timezone) {
        return upsert(kind, ownerId, ScheduleExpression.parse(expression, timezone));
    }

    /** As {@link #upsert(String, String, String, String)}, with an expression already parsed (and its field names chosen). */
    public Schedule upsert(String kind, String ownerId, ScheduleExpression schedule) {
        String orgId = TenantContext.requireOrgId();
        Instant first = schedule.nextAfter(clock.instant()).orElse(null);
        // An unchanged expression keeps its due time and any claim on it; a changed one starts afresh, and a
        // firing claimed under the old one finds next_fire_at moved and does not fire.
        String sql = """
                INSERT INTO schedules (id, org_id, kind, owner_id, expression, timezone, next_fire_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (kind, owner_id) DO UPDATE SET
                    expression = excluded.expression,
                    timezone = excluded.timezone,
                    next_fire_at = CASE WHEN unchanged THEN schedules.next_fire_at
                                        WHEN schedules.enabled THEN excluded.next_fire_at END,
                    leased_until = CASE WHEN unchanged THEN schedules.leased_until END,
                    updated_at = now()
                WHERE schedules.org_id = excluded.org_id
                RETURNING\s""".replace("unchanged", "(schedules.expression = excluded.expression AND schedules.timezone = excluded.timezone)")
                + COLUMNS;
        try (Connection db = dataSource.getConnection(); PreparedStatement upsert = db.prepareStatement(sql)) {
            upsert.setObject(1, TypeId.uuidV7());
            upsert.setString(2, orgId);
            upsert.setString(3, kind);
            upsert.setString(4, ownerId);
            upsert.setString(5, schedule.expression());
            upsert.setString(6, schedule.zone().getId());
            upsert.setObject(7, Timestamps.timestamp(first));
            try (ResultSet row = upsert.executeQuery()) {
                if (!row.next()) {
                    // Owner ids are TypeIDs, unique across orgs: another org's row under this id is a caller's bug.
                    throw new IllegalStateException("schedule " + kind + "/" + ownerId + " belongs to another org");
                }
                return read(row);
            }
        } catch (SQLException e) {
            throw failed("writing", kind, ownerId, e);
        }
    }

    /** Deletes the schedule of {@code ownerId} (with its resource, or when it becomes realtime); false if it had none. */
    public boolean remove(String kind, String ownerId) {
        return update("DELETE FROM schedules WHERE kind = ? AND owner_id = ? AND org_id = ?", kind, ownerId);
    }

    /** Stops firing until {@link #resume}; false if there is no such schedule. */
    public boolean pause(String kind, String ownerId) {
        return update("""
                UPDATE schedules SET enabled = false, next_fire_at = NULL, leased_until = NULL, updated_at = now()
                WHERE kind = ? AND owner_id = ? AND org_id = ?""", kind, ownerId);
    }

    /** Fires again from the first due time after now (times missed while paused are not fired); empty if there is no such schedule. */
    public Optional<Schedule> resume(String kind, String ownerId) {
        Optional<Schedule> current = find(kind, ownerId);
        if (current.isEmpty() || current.get().enabled()) {
            return current;
        }
        Schedule paused = current.get();
        Instant next = ScheduleExpression.parse(paused.expression(), paused.zone().getId()).nextAfter(clock.instant()).orElse(null);
        try (Connection db = dataSource.getConnection(); PreparedStatement resume = db.prepareStatement("""
                UPDATE schedules SET enabled = true, next_fire_at = ?, leased_until = NULL, updated_at = now()
                WHERE kind = ? AND owner_id = ? AND org_id = ? AND NOT enabled RETURNING\s""" + COLUMNS)) {
            resume.setObject(1, Timestamps.timestamp(next));
            resume.setString(2, kind);
            resume.setString(3, ownerId);
            resume.setString(4, TenantContext.requireOrgId());
            try (ResultSet row = resume.executeQuery()) {
                return row.next() ? Optional.of(read(row)) : find(kind, ownerId);
            }
        } catch (SQLException e) {
            throw failed("resuming", kind, ownerId, e);
        }
    }

    /** The schedule of {@code ownerId} in the caller's org. */
    public Optional<Schedule> find(String kind, String ownerId) {
        try (Connection db = dataSource.getConnection(); PreparedStatement find = db.prepareStatement(
                "SELECT " + COLUMNS + " FROM schedules WHERE kind = ? AND owner_id = ? AND org_id = ?")) {
            find.setString(1, kind);
            find.setString(2, ownerId);
            find.setString(3, TenantContext.requireOrgId());
            try (ResultSet row = find.executeQuery()) {
                return row.next() ? Optional.of(read(row)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("reading", kind, ownerId, e);
        }
    }

    /**
     * A preview: the next {@code count} due times of an expression from now, for an API that shows
     * them before anything is saved. Refuses what {@link #upsert} refuses, with the same 400.
     */
    public List<Instant> nextFireTimes(String expression, String timezone, int count) {
        return ScheduleExpression.parse(expression, timezone).next(clock.instant(), count);
    }

    private boolean update(String sql, String kind, String ownerId) {
        try (Connection db = dataSource.getConnection(); PreparedStatement update = db.prepareStatement(sql)) {
            update.setString(1, kind);
            update.setString(2, ownerId);
            update.setString(3, TenantContext.requireOrgId());
            return update.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failed("updating", kind, ownerId, e);
        }
    }

    private static Schedule read(ResultSet row) throws SQLException {
        return new Schedule(row.getString("kind"), row.getString("owner_id"), row.getString("org_id"), row.getString("expression"),
                ZoneId.of(row.getString("timezone")), row.getBoolean("enabled"), Timestamps.instant(row, "next_fire_at"),
                Timestamps.instant(row, "last_fired_at"), row.getString("last_outcome"));
    }

    private static IllegalStateException failed(String what, String kind, String ownerId, SQLException e) {
        return new IllegalStateException(what + " schedule " + kind + "/" + ownerId + " failed: " + e.getMessage(), e);
    }
}
