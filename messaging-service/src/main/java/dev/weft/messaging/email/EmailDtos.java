package dev.weft.messaging.email;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** The email API's shapes (snake_case, like the rest of /v1). */
public final class EmailDtos {
    private EmailDtos() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AddressView(String address, String name) {
    }

    public record EntityView(String entity_type, Object entity_id) {
    }

    @Schema(name = "Email")
    public record EmailView(String id, String connection_id, String thread_id, String message_id, String folder, String direction,
                            AddressView from, List<AddressView> to, List<AddressView> cc, List<AddressView> bcc, String subject, String snippet,
                            String body, boolean is_read, boolean is_starred, boolean is_archived, Instant received_at, boolean has_attachments,
                            List<AttachmentView> attachments) {
    }

    /** An attachment's metadata; its content is GET /v1/email/{id}/attachments/{attachment id}. size in bytes (null when unknown). */
    @Schema(name = "EmailAttachment")
    public record AttachmentView(String id, String filename, String content_type, Long size, boolean inline,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) String content_id) {
    }

    public record InboxPagination(@JsonInclude(JsonInclude.Include.ALWAYS) String next_cursor, boolean has_more,
                                  @JsonInclude(JsonInclude.Include.NON_NULL) Integer page, int limit) {
    }

    @Schema(name = "EmailInboxPage")
    public record InboxPage(List<EmailView> data, InboxPagination pagination) {
    }

    public record FolderCount(String folder, long total, long unread) {
    }

    @Schema(name = "EmailFolderCounts")
    public record FolderCounts(List<FolderCount> folders, long total, long unread) {
    }

    @Schema(name = "EmailThread")
    public record ThreadView(String id, String connection_id, String subject, Instant last_message_at, int message_count,
                             List<EntityView> matched_entities, List<EmailView> emails) {
    }

    public record ThreadSummary(String id, String connection_id, String subject, Instant last_message_at, long message_count,
                                List<String> participants) {
    }

    @Schema(name = "EmailThreadList")
    public record ThreadList(List<ThreadSummary> data) {
    }

    @Schema(name = "EmailMatch")
    public record MatchView(String email_address, String entity_type, Object entity_id, long emails_matched, Instant created_at) {
    }

    @Schema(name = "MailAccount")
    public record AccountView(String connection_id, String provider, String address, String status, String last_error,
                              String last_sent_copy_error, Instant last_sync_at,
                              Instant last_full_resync_at, String last_full_resync_reason, long messages_synced, Instant next_sync_at,
                              Long imap_uid_validity, Long imap_last_uid, List<FolderPositionView> imap_folders, String gmail_history_id) {
    }

    /**
     * An IMAP folder's sync position: Weft's folder (inbox, sent, archive), the server's name for it, UIDVALIDITY, last
     * UID, and HIGHESTMODSEQ when the server offers CONDSTORE (else left out).
     */
    @Schema(name = "MailFolderPosition")
    public record FolderPositionView(String folder, String path, long uid_validity, long last_uid,
                                     @JsonInclude(JsonInclude.Include.NON_NULL) Long highest_modseq) {
    }

    public record AccountList(List<AccountView> data) {
    }

    @Schema(name = "EmailSendRequest")
    public record SendRequest(List<String> to, List<String> cc, List<String> bcc, String subject, String body, String connection_id,
                              String reply_to_email_id, String thread_id) {
    }

    @Schema(name = "EmailMatchRequest")
    public record MatchRequest(String email_address, String entity_type, Object entity_id) {
    }

    @Schema(name = "EmailFlagRequest")
    public record FlagRequest(Boolean value) {
    }

    @Schema(name = "EmailSyncRequest")
    public record SyncRequest(String connection_id) {
    }
}
