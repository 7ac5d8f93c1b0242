package dev.weft.messaging.email;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A connected mailbox as the sync and the API use it, whatever the provider: fetch what changed since a position (or
 * everything), write a flag or a folder move back, send. IMAP+SMTP, the Gmail API and Microsoft Graph implement it.
 */
public interface Mailbox {

    /** An address with its display name (null when none). */
    record Address(String address, String name) {
    }

    /**
     * A message as the provider holds it. {@code providerId} is stable across syncs (and, for IMAP, across a
     * UIDVALIDITY change); {@code threadKey} groups it with its thread (Gmail threadId, Graph conversationId, the IMAP
     * References root); {@code references} the Message-IDs it answers, oldest first.
     */
    record Fetched(String providerId, Long imapUid, String messageId, String inReplyTo, List<String> references, String threadKey,
                   String folder, boolean read, boolean starred, Address from, List<Address> to, List<Address> cc, String subject,
                   String text, String snippet, Instant receivedAt, List<Attachment> attachments) {
        /** The same message with its attachments (Graph lists them in a call of their own). */
        public Fetched withAttachments(List<Attachment> list) {
            return new Fetched(providerId, imapUid, messageId, inReplyTo, references, threadKey, folder, read, starred, from, to, cc, subject,
                    text, snippet, receivedAt, list);
        }
    }

    /**
     * An attachment's metadata as the provider describes it: {@code providerId} finds it again (IMAP MIME section,
     * Gmail partId, Graph attachment id); {@code size} in bytes (null when unknown); {@code contentId} without its
     * angle brackets.
     */
    record Attachment(String providerId, String filename, String contentType, Long size, String contentId, boolean inline) {
    }

    /** An attachment's content as the provider streams it; closing it releases the connection behind it. */
    record Content(java.io.InputStream stream, AutoCloseable resource) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                stream.close();
            } finally {
                if (resource != null) {
                    resource.close();
                }
            }
        }
    }

    /** What one sync fetched, the position to store, and, for a full resync, why it was needed (null when not). */
    record Changes(List<Fetched> messages, MailPosition position, boolean full, String fullReason) {
    }

    /**
     * The provider's sync position (only the fields of the account's provider are used): for IMAP one position per
     * synced folder, keyed by Weft's folder name ({@code inbox}, {@code sent}, {@code archive}).
     */
    record MailPosition(Map<String, ImapFolderPosition> imapFolders, String historyId, String deltaLinks) {
        public static final MailPosition NONE = new MailPosition(Map.of(), null, null);

        public MailPosition {
            imapFolders = imapFolders == null ? Map.of() : Map.copyOf(imapFolders);
        }
    }

    /**
     * Where the sync of one IMAP folder stands: the server's name for the folder, its UIDVALIDITY, the last UID stored
     * and, when the server offers CONDSTORE, its HIGHESTMODSEQ.
     */
    record ImapFolderPosition(String path, long uidValidity, long lastUid, Long highestModSeq) {
    }

    /** A message to send; {@code replyTo} is the stored email it answers (null for a new thread). */
    record Outgoing(String from, List<Address> to, List<Address> cc, List<Address> bcc, String subject, String body, String messageId,
                    Replied replyTo) {
    }

    /** The email a reply answers: its ids at the provider and the headers the reply carries on. */
    record Replied(String providerId, String messageId, List<String> references, String threadKey) {
    }

    /**
     * The provider's answer to a send: its id for the sent message (null when it gives none), the thread key, and why
     * the copy for the Sent folder could not be saved (IMAP only; null when it was, or is not Weft's to save).
     */
    record Sent(String providerId, String threadKey, String sentCopyError) {
        public Sent(String providerId, String threadKey) {
            this(providerId, threadKey, null);
        }
    }

    /** What a flag write changes. */
    enum Flag { READ, STARRED, ARCHIVED }

    /** Changes since {@code position}, or everything when the position is empty or stale. */
    Changes fetch(MailPosition position);

    /**
     * Writes a flag back. Archiving moves the message out of the inbox; the answer is the message's provider id
     * afterwards (the same unless the provider changes it on a move).
     */
    String setFlag(Email email, Flag flag, boolean value);

    Sent send(Outgoing message);

    /** The content of one of the email's attachments, decoded, straight from the provider. */
    Content attachment(Email email, EmailAttachment attachment);

    /** A failure talking to the provider, with a message fit for the account's last_error (no secrets). */
    class MailboxException extends RuntimeException {
        private final boolean retryable;

        public MailboxException(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
