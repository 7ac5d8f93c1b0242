package dev.weft.messaging.calendar;

import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Two-way calendar sync, one account (connection) at a time, claimed once across replicas through {@link DueWork}
 * ({@code leased_until}): periodically when {@code next_sync_at} passes, at once when {@code connection.sync_requested}
 * marks it due, and inline for {@code POST /v1/calendar/sync}. A round first writes the local changes waiting on the
 * account's events to the provider (create; update and delete with {@code If-Match} on the etag the event was read
 * at), then reads the provider's changes since the stored position (Google syncToken, Graph deltaLink). A stale
 * position (410 Gone) restarts from a full read, recorded on the account; events are matched by provider id, so a
 * full read stores nothing twice and an unchanged event (same etag) is no change at all.
 *
 * <p>Conflict rule: the provider wins. A write refused with 412 (the event changed at the provider since it was
 * read) or a local change still waiting when the provider's change arrives is dropped; the provider's version is
 * kept, and the dropped local change is kept on the event as {@code conflict} (when, and what it was).
 */
@ApplicationScoped
public class CalendarSync {
    private static final String SELECT = "SELECT id, org_id, connection_id, provider FROM claimed";
    private static final DueWork.Claim DUE = new DueWork.Claim("calendar_accounts",
            "c.next_sync_at <= now() AND (c.leased_until IS NULL OR c.leased_until < now())", "c.next_sync_at", "leased_until", SELECT);
    private static final DueWork.Claim ASKED = new DueWork.Claim("calendar_accounts",
            "c.org_id = ? AND c.connection_id = ANY(?) AND (c.leased_until IS NULL OR c.leased_until < now())", "c.next_sync_at", "leased_until", SELECT);

    private final DueWork dueWork;
    private final ChannelAccounts accounts;
    private final CalendarService calendar;
    private final MessagingConfig config;
    private final Map<String, CalendarProvider> providers = new LinkedHashMap<>();

    record Due(UUID id, String orgId, String connectionId, String provider) {
    }

    public CalendarSync(DueWork dueWork, ChannelAccounts accounts, CalendarService calendar, MessagingConfig config, Instance<CalendarProvider> all) {
        this.dueWork = dueWork;
        this.accounts = accounts;
        this.calendar = calendar;
        this.config = config;
        all.forEach(p -> providers.put(p.id(), p));
    }

    /**
     * Marks the org's calendar account of a connection due now (creating it), in the caller's transaction: a local
     * change waiting to be written, or a sync asked for. Cheap, so it can run inside a Kafka handler's transaction.
     */
    static void markDue(String orgId, String connectionId, String provider) {
        Panache.getEntityManager().createNativeQuery("INSERT INTO calendar_accounts (id, org_id, connection_id, provider, next_sync_at, created_at, updated_at)"
                        + " VALUES (?1, ?2, ?3, ?4, now(), now(), now())"
                        + " ON CONFLICT (connection_id) DO UPDATE SET next_sync_at = now(), updated_at = now() WHERE calendar_accounts.org_id = ?2")
                .setParameter(1, TypeId.uuidV7()).setParameter(2, orgId).setParameter(3, connectionId).setParameter(4, provider)
                .executeUpdate();
    }

    static void markDue(String connectionId, String provider) {
        markDue(TenantContext.requireOrgId(), connectionId, provider);
    }

    @Scheduled(every = "${weft.messaging.calendar.poll-interval:30s}", delayed = "${weft.messaging.calendar.poll-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        poll();
    }

    /** One round of the worker: claims due accounts and syncs each as its org. */
    public void poll() {
        List<Due> due;
        try {
            due = dueWork.claim(DUE, DueWork.Parameters.NONE, config.calendar().lease(), 20, CalendarSync::due);
        } catch (RuntimeException e) {
            Log.warnf("event=calendar_claim_failed message=\"%s\"", e.getMessage());
            return;
        }
        dueWork.forEach("calendar_sync", due, Due::orgId, this::run);
    }

    private static Due due(java.sql.ResultSet row) throws java.sql.SQLException {
        return new Due(row.getObject("id", UUID.class), row.getString("org_id"), row.getString("connection_id"), row.getString("provider"));
    }

    /** POST /v1/calendar/sync: the org's calendar connections (or the one named), synced now in this request. */
    public CalendarDtos.SyncResult syncNow(String connectionId) {
        String org = TenantContext.requireOrgId();
        List<ChannelAccounts.Account> chosen = new ArrayList<>();
        if (connectionId != null) {
            chosen.add(accounts.connection(connectionId, CalendarService.PROVIDERS).orElseThrow(() -> ApiException.invalid("connection_id",
                    "calendar_connection", "connection_id must be one of the org's google or microsoft connections")));
        } else {
            for (String provider : CalendarService.PROVIDERS.stream().sorted().toList()) {
                chosen.addAll(accounts.all(provider));
            }
        }
        QuarkusTransaction.requiringNew().run(() -> chosen.forEach(a -> Panache.getEntityManager().createNativeQuery(
                        "INSERT INTO calendar_accounts (id, org_id, connection_id, provider, next_sync_at, created_at, updated_at)"
                                + " VALUES (?1, ?2, ?3, ?4, now(), now(), now()) ON CONFLICT (connection_id) DO NOTHING")
                .setParameter(1, TypeId.uuidV7()).setParameter(2, org).setParameter(3, a.connectionId()).setParameter(4, a.provider())
                .executeUpdate()));
        String[] ids = chosen.stream().map(ChannelAccounts.Account::connectionId).toArray(String[]::new);
        List<Due> claimed = dueWork.claim(ASKED, (statement, first) -> {
            statement.setString(first, org);
            statement.setArray(first + 1, statement.getConnection().createArrayOf("text", ids));
            return first + 2;
        }, config.calendar().lease(), Math.max(1, ids.length), CalendarSync::due);
        Set<String> running = new HashSet<>();
        List<CalendarDtos.AccountSync> results = new ArrayList<>();
        for (Due due : claimed) {
            running.add(due.connectionId());
            results.add(run(due));
        }
        for (ChannelAccounts.Account account : chosen) {
            if (!running.contains(account.connectionId())) {
                results.add(new CalendarDtos.AccountSync(account.connectionId(), account.provider(), "in_progress", 0, 0, 0, 0, 0, false,
                        "another sync of this calendar is running; its changes appear when it ends"));
            }
        }
        return new CalendarDtos.SyncResult(results);
    }

    /** Tallies of one round. */
    private static final class Tally {
        int pushed;
        int created;
        int updated;
        int deleted;
        int conflicts;
        boolean fullResync;
    }

    /** Syncs one claimed account: push, then pull; always hands the lease back with the next periodic time. */
    CalendarDtos.AccountSync run(Due due) {
        Instant roundStart = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Tally tally = new Tally();
        String error = null;
        String status = "synced";
        String position = null;
        boolean positionRead = false;
        boolean gone = false;
        try {
            CalendarProvider provider = providers.get(due.provider());
            ChannelAccounts.Account account = accounts.connection(due.connectionId(), CalendarService.PROVIDERS).orElse(null);
            if (provider == null || account == null) {
                gone = true;
                status = "disconnected";
                error = "the connection no longer exists or is not a calendar connection";
            } else {
                String failure = push(provider, account, due, tally);
                String stored = QuarkusTransaction.requiringNew().call(() -> CalendarAccount.<CalendarAccount>findById(due.id()).syncToken);
                CalendarProvider.Changes changes;
                try {
                    changes = provider.changes(account, stored, config.calendar().maxPages());
                } catch (CalendarProvider.Failure stale) {
                    if (stale.kind() != CalendarProvider.Failure.Kind.STALE || stored == null) {
                        throw stale;
                    }
                    // An expired position: start over from a full read, say so on the account; matching by provider id keeps it duplicate-free.
                    Log.infof("event=calendar_full_resync org_id=%s connection_id=%s reason=\"%s\"", due.orgId(), due.connectionId(), stale.getMessage());
                    tally.fullResync = true;
                    String reason = stale.getMessage();
                    QuarkusTransaction.requiringNew().run(() -> {
                        CalendarAccount row = CalendarAccount.findById(due.id());
                        row.syncToken = null;
                        row.fullResyncs++;
                        row.lastFullResyncAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                        row.lastFullResyncReason = reason;
                    });
                    changes = provider.changes(account, null, config.calendar().maxPages());
                }
                CalendarProvider.Changes read = changes;
                QuarkusTransaction.requiringNew().run(() -> apply(due, read.events(), tally));
                position = read.nextPosition();
                positionRead = true;
                if (failure != null) {
                    status = "partial";
                    error = failure;
                }
            }
        } catch (CalendarProvider.Failure e) {
            status = "failed";
            error = e.getMessage();
        } catch (RuntimeException e) {
            status = "failed";
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            Log.warnf(e, "event=calendar_sync_failed org_id=%s connection_id=%s", due.orgId(), due.connectionId());
        }
        String finalError = error;
        String finalPosition = position;
        boolean savePosition = positionRead;
        boolean remove = gone;
        QuarkusTransaction.requiringNew().run(() -> {
            CalendarAccount row = CalendarAccount.findById(due.id());
            if (row == null) {
                return;
            }
            if (remove) {
                row.delete();
                return;
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (savePosition) {
                row.syncToken = finalPosition;
            }
            row.lastSyncAt = now;
            row.lastError = finalError;
            row.leasedUntil = null;
            // A local change made during this round is written in the next one, at once; otherwise the periodic time.
            long changedSince = CalendarEvent.count("connectionId = ?1 and pushPending is not null and updatedAt > ?2", due.connectionId(), roundStart);
            row.nextSyncAt = changedSince > 0 ? now : now.plus(config.calendar().syncEvery());
        });
        Log.infof("event=calendar_synced org_id=%s connection_id=%s status=%s pushed=%d created=%d updated=%d deleted=%d conflicts=%d full_resync=%s",
                due.orgId(), due.connectionId(), status, tally.pushed, tally.created, tally.updated, tally.deleted, tally.conflicts, tally.fullResync);
        return new CalendarDtos.AccountSync(due.connectionId(), due.provider(), status, tally.pushed, tally.created, tally.updated,
                tally.deleted, tally.conflicts, tally.fullResync, error);
    }

    // ---- push: local changes to the provider ---------------------------------------------------------------------

    private record Pending(UUID id, String kind, String providerEventId, String etag, Instant updatedAt, CalendarProvider.Outgoing outgoing) {
    }

    /** Writes each waiting local change; returns the first failure that leaves changes waiting, or null. */
    private String push(CalendarProvider provider, ChannelAccounts.Account account, Due due, Tally tally) {
        List<Pending> pending = QuarkusTransaction.requiringNew().call(() -> CalendarEvent.<CalendarEvent>list(
                        "connectionId = ?1 and pushPending is not null order by updatedAt", due.connectionId()).stream()
                .map(e -> new Pending(e.id, e.pushPending, e.providerEventId, e.etag, e.updatedAt, new CalendarProvider.Outgoing(e.title,
                        e.description, e.location, e.startsAt, e.endsAt, e.allDay, List.of(e.attendees)))).toList());
        String firstFailure = null;
        for (Pending p : pending) {
            try {
                switch (p.kind()) {
                    case "create" -> {
                        CalendarProvider.RemoteEvent created = provider.insert(account, p.outgoing());
                        QuarkusTransaction.requiringNew().run(() -> written(p, created, false));
                    }
                    case "update" -> {
                        CalendarProvider.RemoteEvent updated = provider.update(account, p.providerEventId(), p.etag(), p.outgoing());
                        QuarkusTransaction.requiringNew().run(() -> written(p, updated, false));
                    }
                    default -> {
                        provider.delete(account, p.providerEventId(), p.etag());
                        QuarkusTransaction.requiringNew().run(() -> written(p, null, true));
                    }
                }
                tally.pushed++;
            } catch (CalendarProvider.Failure f) {
                switch (f.kind()) {
                    case CONFLICT, GONE -> {
                        // The provider changed (412) or removed (404/410) the event since Weft read it: the provider wins.
                        CalendarProvider.RemoteEvent current = null;
                        if (f.kind() == CalendarProvider.Failure.Kind.CONFLICT) {
                            try {
                                current = provider.get(account, p.providerEventId());
                            } catch (CalendarProvider.Failure again) {
                                firstFailure = firstFailure == null ? again.getMessage() : firstFailure;
                                continue;
                            }
                        }
                        CalendarProvider.RemoteEvent winner = current;
                        QuarkusTransaction.requiringNew().run(() -> providerWins(p.id(), winner, tally));
                    }
                    case REFUSED -> {
                        // The provider will never take this change as it is: it stops waiting, and says why.
                        QuarkusTransaction.requiringNew().run(() -> refused(p.id(), f.getMessage()));
                        firstFailure = firstFailure == null ? f.getMessage() : firstFailure;
                    }
                    default -> {
                        // Unreachable, throttled, 5xx, or the token refused: the change keeps waiting for the next round.
                        QuarkusTransaction.requiringNew().run(() -> noteError(p.id(), f.getMessage()));
                        firstFailure = firstFailure == null ? f.getMessage() : firstFailure;
                    }
                }
            }
        }
        return firstFailure;
    }

    /** Records the provider's answer to a write; a local change made meanwhile stays waiting. */
    private void written(Pending p, CalendarProvider.RemoteEvent remote, boolean deleted) {
        CalendarEvent e = CalendarEvent.findById(p.id());
        if (e == null) {
            return;
        }
        if (remote != null) {
            e.providerEventId = remote.providerEventId();
            e.etag = remote.etag();
        }
        e.pushError = null;
        boolean changedMeanwhile = !Objects.equals(e.updatedAt, p.updatedAt());
        if (deleted) {
            e.pushPending = null;
        } else if (e.deletedAt != null) {
            e.pushPending = "delete";
        } else {
            e.pushPending = changedMeanwhile ? "update" : null;
        }
    }

    private void refused(UUID id, String message) {
        CalendarEvent e = CalendarEvent.findById(id);
        if (e != null) {
            e.pushPending = null;
            e.pushError = message;
        }
    }

    private void noteError(UUID id, String message) {
        CalendarEvent e = CalendarEvent.findById(id);
        if (e != null) {
            e.pushError = message;
        }
    }

    /** The rule: the provider's version replaces the local one (or its absence deletes it); the local change is kept as the conflict. */
    private void providerWins(UUID id, CalendarProvider.RemoteEvent remote, Tally tally) {
        CalendarEvent e = CalendarEvent.findById(id);
        if (e == null) {
            return;
        }
        tally.conflicts++;
        e.conflictAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        e.conflictLocal = CalendarService.snapshot(e, e.pushPending);
        e.pushPending = null;
        e.pushError = null;
        Log.infof("event=calendar_conflict org_id=%s event_id=%s rule=provider_wins", e.orgId, e.eventId());
        if (remote == null) {
            if (e.deletedAt == null) {
                e.deletedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                calendar.publishDeleted(e);
                tally.deleted++;
            }
            return;
        }
        boolean wasDeleted = e.deletedAt != null;
        Map<String, Object> before = CalendarService.comparable(e);
        e.deletedAt = null;
        copy(remote, e);
        if (wasDeleted) {
            calendar.publishCreated(e);
            tally.created++;
        } else {
            List<String> changed = CalendarService.changedFields(before, CalendarService.comparable(e));
            if (!changed.isEmpty()) {
                calendar.publishUpdated(e, changed);
                tally.updated++;
            }
        }
    }

    // ---- pull: provider changes into Weft ------------------------------------------------------------------------

    private void apply(Due due, List<CalendarProvider.RemoteEvent> changes, Tally tally) {
        for (CalendarProvider.RemoteEvent r : changes) {
            if (r.providerEventId() == null) {
                continue;
            }
            CalendarEvent e = CalendarEvent.find("connectionId = ?1 and providerEventId = ?2", due.connectionId(), r.providerEventId()).firstResult();
            if (r.removed()) {
                if (e != null && e.deletedAt == null) {
                    if ("update".equals(e.pushPending)) {
                        e.conflictAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                        e.conflictLocal = CalendarService.snapshot(e, e.pushPending);
                        tally.conflicts++;
                    }
                    e.deletedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    e.pushPending = null;
                    calendar.publishDeleted(e);
                    tally.deleted++;
                } else if (e != null) {
                    e.pushPending = null;
                }
                continue;
            }
            if (r.start() == null || r.end() == null || !r.end().isAfter(r.start())) {
                Log.infof("event=calendar_event_skipped org_id=%s connection_id=%s provider_event_id=%s reason=no_valid_times",
                        due.orgId(), due.connectionId(), r.providerEventId());
                continue;
            }
            if (e == null) {
                CalendarEvent created = new CalendarEvent();
                created.connectionId = due.connectionId();
                created.provider = due.provider();
                created.providerEventId = r.providerEventId();
                copy(r, created);
                created.persist();
                calendar.publishCreated(created);
                tally.created++;
                continue;
            }
            if (Objects.equals(e.etag, r.etag()) && r.etag() != null) {
                continue; // nothing new: an unchanged event of a full read, or the echo of Weft's own write
            }
            if (e.deletedAt != null) {
                if ("delete".equals(e.pushPending)) {
                    e.conflictAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    e.conflictLocal = CalendarService.snapshot(e, e.pushPending);
                    tally.conflicts++;
                }
                e.deletedAt = null;
                e.pushPending = null;
                copy(r, e);
                calendar.publishCreated(e);
                tally.created++;
                continue;
            }
            if (e.pushPending != null) {
                e.conflictAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                e.conflictLocal = CalendarService.snapshot(e, e.pushPending);
                e.pushPending = null;
                tally.conflicts++;
            }
            Map<String, Object> before = CalendarService.comparable(e);
            copy(r, e);
            List<String> changed = CalendarService.changedFields(before, CalendarService.comparable(e));
            if (!changed.isEmpty()) {
                calendar.publishUpdated(e, changed);
                tally.updated++;
            }
        }
    }

    private static void copy(CalendarProvider.RemoteEvent r, CalendarEvent e) {
        e.etag = r.etag();
        e.title = r.title() == null || r.title().isBlank() ? "(no title)" : truncate(r.title(), CalendarService.MAX_TITLE);
        e.description = truncate(r.description(), CalendarService.MAX_DESCRIPTION);
        e.location = truncate(r.location(), CalendarService.MAX_LOCATION);
        e.startsAt = r.start().truncatedTo(ChronoUnit.MICROS);
        e.endsAt = r.end().truncatedTo(ChronoUnit.MICROS);
        e.allDay = r.allDay();
        e.status = r.status() == null ? "confirmed" : r.status();
        e.organizer = r.organizer();
        e.attendees = r.attendees().stream().distinct().limit(CalendarService.MAX_ATTENDEES).toArray(String[]::new);
        e.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static String truncate(String value, int max) {
        return value == null ? null : value.length() <= max ? value : value.substring(0, max);
    }
}
