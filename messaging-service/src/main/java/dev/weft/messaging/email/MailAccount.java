package dev.weft.messaging.email;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A mail connection's sync state (V4__email.sql): its provider position (IMAP's in {@link MailFolderPosition}) and how the last syncs went. */
@Entity
@Table(name = "mail_accounts")
public class MailAccount extends OrgScopedEntity {
    @Column(name = "connection_id")
    public String connectionId;
    public String provider;
    public String address;
    @Column(name = "gmail_history_id")
    public String gmailHistoryId;
    @Column(name = "graph_delta_links")
    public String graphDeltaLinks;
    public String status = "pending";
    @Column(name = "last_error")
    public String lastError;
    /** Why the last send's copy could not be APPENDed to the IMAP Sent folder (null when it was). */
    @Column(name = "last_sent_copy_error")
    public String lastSentCopyError;
    @Column(name = "last_sync_at")
    public Instant lastSyncAt;
    @Column(name = "last_full_resync_at")
    public Instant lastFullResyncAt;
    @Column(name = "last_full_resync_reason")
    public String lastFullResyncReason;
    @Column(name = "messages_synced")
    public long messagesSynced;
    @Column(name = "next_sync_at")
    public Instant nextSyncAt = Instant.now();

    /** The stored position (IMAP's per folder, {@link MailFolderPosition}); in a transaction. */
    public Mailbox.MailPosition syncPosition() {
        Map<String, Mailbox.ImapFolderPosition> folders = new LinkedHashMap<>();
        folderPositions().forEach(f -> folders.put(f.folder, f.folderPosition()));
        return new Mailbox.MailPosition(folders, gmailHistoryId, graphDeltaLinks);
    }

    public List<MailFolderPosition> folderPositions() {
        return MailFolderPosition.list("accountId = ?1 order by folder", id);
    }
}
