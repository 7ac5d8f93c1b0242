package dev.weft.messaging.email;

import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import dev.weft.messaging.channel.ProviderHttp;
import dev.weft.platform.db.DueWork;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Mailbox syncs. Each mail connection has a {@link MailAccount}; a sync of it is claimed once across replicas through
 * {@link DueWork} (lease_until), whether the periodic worker found it due, a {@code connection.sync_requested} event
 * made it due, or {@code POST /v1/email/sync} asked for it. The vendor IO runs outside any transaction; what it fetched
 * and the new position are stored in one, so a crash mid-sync leaves the old position and the next sync fetches again
 * (stored once, by provider id).
 */
@ApplicationScoped
public class EmailSync {
    public static final Set<String> PROVIDERS = Set.of("imap", "google", "microsoft");
    private static final String FREE = "(c.lease_until IS NULL OR c.lease_until < now())";
    private static final DueWork.Claim DUE = new DueWork.Claim("mail_accounts", "c.next_sync_at <= now() AND " + FREE, "c.next_sync_at",
            "lease_until", "SELECT id, org_id FROM claimed");
    private static final DueWork.Claim NAMED = new DueWork.Claim("mail_accounts", "c.id = ANY(?) AND " + FREE, "c.next_sync_at",
            "lease_until", "SELECT id, org_id FROM claimed");

    private final DueWork dueWork;
    private final MessagingConfig config;
    private final ChannelAccounts accounts;
    private final ProviderHttp http;
    private final EmailStore store;

    public EmailSync(DueWork dueWork, MessagingConfig config, ChannelAccounts accounts, ProviderHttp http, EmailStore store) {
        this.dueWork = dueWork;
        this.config = config;
        this.accounts = accounts;
        this.http = http;
        this.store = store;
    }

    private record Due(UUID id, String orgId) {
    }

    /** The provider's mailbox behind a connection. */
    public Mailbox mailbox(ChannelAccounts.Account account) {
        return switch (account.provider()) {
            case "imap" -> new ImapMailbox(account, config.email());
            case "google" -> new GmailMailbox(account, http, config.email());
            case "microsoft" -> new GraphMailbox(account, http, config.email());
            default -> throw new IllegalArgumentException("not a mail provider: " + account.provider());
        };
    }

    /** The connection's account, created when first seen (in the caller's org). */
    public MailAccount ensure(String connectionId, String provider, String address) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Panache.getEntityManager().createNativeQuery("INSERT INTO mail_accounts (id, org_id, connection_id, provider, address, next_sync_at, created_at, updated_at) "
                            + "VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?6, ?6) ON CONFLICT (org_id, connection_id) DO NOTHING")
                    .setParameter(1, TypeId.uuidV7()).setParameter(2, TenantContext.requireOrgId()).setParameter(3, connectionId)
                    .setParameter(4, provider).setParameter(5, address).setParameter(6, now)
                    // Created by a sync request, a send or POST /v1/email/sync, each of which syncs it (or makes it due) itself.
                    .setParameter(7, now.plus(config.email().syncInterval())).executeUpdate();
            return MailAccount.<MailAccount>find("connectionId", connectionId).firstResult();
        });
    }

    /** Makes the connection's mailbox due now (the worker takes it on its next round). */
    public void request(String connectionId, String provider) {
        MailAccount account = ensure(connectionId, provider, null);
        QuarkusTransaction.joiningExisting().run(() -> Panache.getEntityManager()
                .createNativeQuery("UPDATE mail_accounts SET next_sync_at = now() WHERE id = ?1").setParameter(1, account.id).executeUpdate());
    }

    /**
     * Syncs these accounts now and returns when each has been synced: one another replica (or the worker) holds is
     * waited for (up to the mail timeout twice), then synced again from where it left off.
     */
    public void syncNow(List<UUID> ids) {
        List<UUID> pending = new java.util.ArrayList<>(ids);
        long deadline = System.nanoTime() + config.email().mailTimeout().multipliedBy(2).toNanos();
        while (!pending.isEmpty()) {
            List<UUID> wanted = List.copyOf(pending);
            List<Due> claimed = dueWork.claim(NAMED, (statement, first) -> {
                statement.setArray(first, statement.getConnection().createArrayOf("uuid", wanted.toArray()));
                return first + 1;
            }, config.email().lease(), wanted.size(), row -> new Due(row.getObject("id", UUID.class), row.getString("org_id")));
            dueWork.forEach("email_sync", claimed, Due::orgId, d -> run(d.id()));
            claimed.forEach(d -> pending.remove(d.id()));
            if (pending.isEmpty() || System.nanoTime() > deadline) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Scheduled(every = "${weft.messaging.email.poll-interval:10s}", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void syncDue() {
        List<Due> due;
        try {
            due = dueWork.claim(DUE, DueWork.Parameters.NONE, config.email().lease(), config.email().batchSize(),
                    row -> new Due(row.getObject("id", UUID.class), row.getString("org_id")));
        } catch (IllegalStateException e) {
            Log.warnf("event=email_sync_claim_failed message=\"%s\"", e.getMessage());
            return;
        }
        dueWork.forEach("email_sync", due, Due::orgId, d -> run(d.id()));
    }

    private record Start(String connectionId, Mailbox.MailPosition position) {
    }

    /** One sync of a claimed account, as its org's system principal. */
    void run(UUID accountId) {
        Start start = QuarkusTransaction.requiringNew().call(() -> {
            MailAccount account = MailAccount.findById(accountId);
            return account == null ? null : new Start(account.connectionId, account.syncPosition());
        });
        if (start == null) {
            return;
        }
        Optional<ChannelAccounts.Account> connection;
        Mailbox.Changes changes;
        try {
            connection = accounts.byConnection(start.connectionId());
            if (connection.isEmpty() || !PROVIDERS.contains(connection.get().provider())) {
                finish(accountId, "failing", "connection " + start.connectionId() + " is gone or not a mailbox");
                return;
            }
            changes = mailbox(connection.get()).fetch(start.position());
        } catch (RuntimeException e) {
            // MailboxException and ApiException carry a message fit for the account; anything else is named by its class.
            boolean known = e instanceof Mailbox.MailboxException || e instanceof dev.weft.platform.error.ApiException;
            finish(accountId, "failing", known ? e.getMessage() : "sync failed: " + e.getClass().getSimpleName());
            Log.warnf("event=email_sync_failed connection_id=%s message=\"%s\"", start.connectionId(), e.getMessage());
            return;
        }
        String address = connection.get().config("address");
        int stored = QuarkusTransaction.requiringNew().call(() -> {
            MailAccount account = MailAccount.findById(accountId);
            if (account == null) {
                return 0;
            }
            if (address != null) {
                account.address = address;
            }
            int fresh = 0;
            for (Mailbox.Fetched f : changes.messages()) {
                if (store.store(account, f)) {
                    fresh++;
                }
            }
            Mailbox.MailPosition p = changes.position();
            switch (account.provider) {
                case "imap" -> storeFolderPositions(account, p.imapFolders());
                case "google" -> account.gmailHistoryId = p.historyId();
                case "microsoft" -> account.graphDeltaLinks = p.deltaLinks();
                default -> {
                }
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (changes.full()) {
                account.lastFullResyncAt = now;
                account.lastFullResyncReason = changes.fullReason() == null ? "first sync" : changes.fullReason();
            }
            account.messagesSynced += fresh;
            account.status = "ok";
            account.lastError = null;
            account.lastSyncAt = now;
            account.nextSyncAt = now.plus(config.email().syncInterval());
            Panache.getEntityManager().flush();
            Panache.getEntityManager().createNativeQuery("UPDATE mail_accounts SET lease_until = NULL WHERE id = ?1").setParameter(1, accountId)
                    .executeUpdate();
            return fresh;
        });
        Log.infof("event=email_synced connection_id=%s new=%d fetched=%d full=%s reason=\"%s\"", start.connectionId(), stored,
                changes.messages().size(), changes.full(), changes.fullReason());
    }

    /** One row per synced folder; a folder the mailbox no longer has loses its position (found again, it is read afresh). */
    private static void storeFolderPositions(MailAccount account, java.util.Map<String, Mailbox.ImapFolderPosition> positions) {
        for (MailFolderPosition stored : account.folderPositions()) {
            if (!positions.containsKey(stored.folder)) {
                stored.delete();
            }
        }
        positions.forEach((folder, position) -> {
            MailFolderPosition row = MailFolderPosition.find("accountId = ?1 and folder = ?2", account.id, folder).firstResult();
            if (row == null) {
                row = new MailFolderPosition();
                row.accountId = account.id;
                row.folder = folder;
            }
            row.path = position.path();
            row.uidValidity = position.uidValidity();
            row.lastUid = position.lastUid();
            row.highestModseq = position.highestModSeq();
            row.persist();
        });
    }

    private void finish(UUID accountId, String status, String error) {
        QuarkusTransaction.requiringNew().run(() -> {
            MailAccount account = MailAccount.findById(accountId);
            if (account == null) {
                return;
            }
            account.status = status;
            account.lastError = error == null ? null : error.length() > 500 ? error.substring(0, 500) : error;
            account.nextSyncAt = Instant.now().plus(config.email().syncInterval());
            Panache.getEntityManager().flush();
            Panache.getEntityManager().createNativeQuery("UPDATE mail_accounts SET lease_until = NULL WHERE id = ?1").setParameter(1, accountId)
                    .executeUpdate();
        });
    }
}
