package dev.weft.messaging.email;

import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.channel.ChannelAccounts;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.MessageIDTerm;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An {@code imap} connection: IMAP for reading and flags, SMTP for sending. Three folders are synced, each by its own
 * UIDVALIDITY and UID (flag changes by CONDSTORE's MODSEQ when the server offers it): INBOX, the Sent folder and the
 * archive folder, the last two found by their SPECIAL-USE attribute (RFC 6154 {@code \Sent}, {@code \Archive}) or
 * else by a common name. A changed UIDVALIDITY makes every stored UID of that folder meaningless: the folder is fetched
 * again, and the stored mail (keyed by Message-ID, whatever folder it is in) is updated, not duplicated.
 */
final class ImapMailbox implements Mailbox {
    /** The archive folder created when a mailbox has none and mail is archived. */
    static final String ARCHIVE = "Archive";
    /** The Sent folder created when a mailbox has none and Weft saves a copy of what it sent. */
    static final String SENT = "Sent";
    /** SMTP servers that file submitted mail in the Sent folder themselves (Gmail, Microsoft 365 and Outlook.com). */
    static final List<String> SELF_FILING_SMTP = List.of(".gmail.com", ".googlemail.com", ".office365.com", ".outlook.com");
    static final List<String> SENT_NAMES = List.of("Sent", "Sent Items", "Sent Messages", "INBOX.Sent");
    static final List<String> ARCHIVE_NAMES = List.of("Archive", "Archives", "INBOX.Archive");

    private final ChannelAccounts.Account account;
    private final MessagingConfig.Email config;

    ImapMailbox(ChannelAccounts.Account account, MessagingConfig.Email config) {
        this.account = account;
        this.config = config;
    }

    private String tls(String which, String fallback) {
        String value = account.config(which + "_tls");
        return value == null ? fallback : value;
    }

    private int port(String which, String tls, int ssl, int plain) {
        String value = account.config(which + "_port");
        return value == null ? ("ssl".equals(tls) ? ssl : plain) : Integer.parseInt(value);
    }

    private Session session() {
        Properties p = new Properties();
        String timeout = String.valueOf(config.mailTimeout().toMillis());
        for (String protocol : List.of("imap", "imaps", "smtp", "smtps")) {
            p.put("mail." + protocol + ".connectiontimeout", timeout);
            p.put("mail." + protocol + ".timeout", timeout);
            p.put("mail." + protocol + ".writetimeout", timeout);
        }
        p.put("mail.imap.peek", "true");
        p.put("mail.imaps.peek", "true");
        if ("starttls".equals(tls("imap", "ssl"))) {
            p.put("mail.imap.starttls.enable", "true");
            p.put("mail.imap.starttls.required", "true");
        }
        String smtpTls = tls("smtp", "starttls");
        String smtp = "ssl".equals(smtpTls) ? "smtps" : "smtp";
        p.put("mail." + smtp + ".auth", "true");
        if ("starttls".equals(smtpTls)) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        return Session.getInstance(p);
    }

    private IMAPStore connect(Session session) throws MessagingException {
        String tls = tls("imap", "ssl");
        IMAPStore store = (IMAPStore) session.getStore("ssl".equals(tls) ? "imaps" : "imap");
        store.connect(account.config("imap_host"), port("imap", tls, 993, 143), account.credential("username"), account.credential("password"));
        return store;
    }

    private static MailboxException failure(String what, MessagingException e) {
        if (e instanceof AuthenticationFailedException) {
            return new MailboxException("the mail server refused the login", false, e);
        }
        return new MailboxException(what + " failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), true, e);
    }

    // ---- folders

    /** A folder as LIST names it: its full name, hierarchy separator and attributes ({@code \Sent}, {@code \Noselect}...). */
    record Listed(String fullName, char separator, List<String> attributes) {
        boolean selectable() {
            return attributes.stream().noneMatch(a -> a.equalsIgnoreCase("\\Noselect") || a.equalsIgnoreCase("\\NonExistent"));
        }

        boolean has(String attribute) {
            return attributes.stream().anyMatch(a -> a.equalsIgnoreCase(attribute));
        }

        /** The name with the server's separator written as '.', as the common names are. */
        String dotted() {
            return separator == '.' || separator == 0 ? fullName : fullName.replace(separator, '.');
        }
    }

    /** The server's names for Weft's folders: INBOX always, the Sent and archive folders when the mailbox has them (else null). */
    record Folders(String sent, String archive) {
        String path(String folder) {
            return switch (folder) {
                case "sent" -> sent;
                case "archive" -> archive;
                default -> "INBOX";
            };
        }
    }

    /**
     * The folder with the SPECIAL-USE {@code attribute}, else the first of {@code names} the mailbox has (case
     * ignored; {@code INBOX.Sent} also matches {@code INBOX/Sent} on a server separating with '/'); null when none.
     */
    static String find(List<Listed> folders, String attribute, List<String> names) {
        for (Listed f : folders) {
            if (f.selectable() && f.has(attribute)) {
                return f.fullName();
            }
        }
        for (String name : names) {
            for (Listed f : folders) {
                if (f.selectable() && !f.fullName().equalsIgnoreCase("INBOX") && f.dotted().equalsIgnoreCase(name)) {
                    return f.fullName();
                }
            }
        }
        return null;
    }

    static Folders folders(List<Listed> listed) {
        return new Folders(find(listed, "\\Sent", SENT_NAMES), find(listed, "\\Archive", ARCHIVE_NAMES));
    }

    /** One LIST of the whole hierarchy: servers offering SPECIAL-USE include its attributes in every LIST answer. */
    private static Folders discover(IMAPStore store) throws MessagingException {
        List<Listed> listed = new ArrayList<>();
        for (Folder f : store.getDefaultFolder().list("*")) {
            IMAPFolder folder = (IMAPFolder) f;
            String[] attributes = folder.getAttributes();
            listed.add(new Listed(folder.getFullName(), folder.getSeparator(), attributes == null ? List.of() : List.of(attributes)));
        }
        return folders(listed);
    }

    // ---- sync

    private record FolderChanges(List<Fetched> messages, ImapFolderPosition position, boolean full, String reason) {
    }

    @Override
    public Changes fetch(MailPosition position) {
        try (IMAPStore store = connect(session())) {
            Folders folders = discover(store);
            boolean condstore = store.hasCapability("CONDSTORE");
            List<Fetched> out = new ArrayList<>();
            Map<String, ImapFolderPosition> next = new LinkedHashMap<>();
            List<String> reasons = new ArrayList<>();
            boolean full = false;
            boolean first = position.imapFolders().isEmpty();
            // INBOX first, the archive last: a message moved between syncs ends in the folder it was found in last.
            for (String name : List.of("inbox", "sent", "archive")) {
                String path = folders.path(name);
                if (path == null) {
                    continue;
                }
                ImapFolderPosition previous = position.imapFolders().get(name);
                FolderChanges changes;
                try {
                    changes = fetch(store, condstore, name, path, previous);
                } catch (MessagingException e) {
                    // INBOX must be read; a Sent or archive folder the server will not open does not hold the inbox back.
                    if ("inbox".equals(name) || e instanceof jakarta.mail.StoreClosedException || e instanceof jakarta.mail.FolderClosedException) {
                        throw e;
                    }
                    io.quarkus.logging.Log.warnf("event=email_folder_unreadable folder=%s error=%s message=\"%s\"", path, e.getClass().getSimpleName(), e.getMessage());
                    if (previous != null) {
                        next.put(name, previous);
                    }
                    continue;
                }
                out.addAll(changes.messages());
                next.put(name, changes.position());
                if (changes.full()) {
                    full = true;
                    if (!first) {
                        reasons.add(changes.reason());
                    }
                }
            }
            return new Changes(out, new MailPosition(next, null, null), full, reasons.isEmpty() ? null : String.join("; ", reasons));
        } catch (MessagingException e) {
            throw failure("reading the IMAP mailbox", e);
        }
    }

    /** New mail of one folder since its position (all of it, up to the full-sync limit, when the position is stale or missing). */
    private FolderChanges fetch(IMAPStore store, boolean condstore, String name, String path, ImapFolderPosition position) throws MessagingException {
        IMAPFolder folder = (IMAPFolder) store.getFolder(path);
        folder.open(Folder.READ_ONLY);
        try {
            long validity = folder.getUIDValidity();
            Long modseq = condstore ? folder.getHighestModSeq() : null;
            String reason = position == null ? "first sync of " + path
                    : !position.path().equals(path) ? "the " + name + " folder is now " + path + " (was " + position.path() + ")"
                    : position.uidValidity() != validity ? "UIDVALIDITY changed (" + position.uidValidity() + " to " + validity + ") in " + path
                    : null;
            boolean full = reason != null;
            long after = full ? 0 : position.lastUid();
            Message[] found = folder.getMessagesByUID(after + 1, UIDFolder.MAXUID);
            if (full && found.length > config.fullSyncLimit()) {
                found = Arrays.copyOfRange(found, found.length - config.fullSyncLimit(), found.length);
            }
            List<Fetched> out = new ArrayList<>();
            long last = after;
            for (Fetched f : read(folder, found, name)) {
                if (f.imapUid() > after) {
                    out.add(f);
                    last = Math.max(last, f.imapUid());
                }
            }
            if (!full && modseq != null && position.highestModSeq() != null && modseq > position.highestModSeq() && after > 0) {
                // Flags changed on mail already stored (read or starred in another client).
                out.addAll(read(folder, folder.getMessagesByUIDChangedSince(1, after, position.highestModSeq()), name));
            }
            return new FolderChanges(out, new ImapFolderPosition(path, validity, last, modseq), full, reason);
        } finally {
            folder.close(false);
        }
    }

    private static List<Fetched> read(IMAPFolder folder, Message[] messages, String name) throws MessagingException {
        FetchProfile profile = new FetchProfile();
        profile.add(FetchProfile.Item.ENVELOPE);
        profile.add(FetchProfile.Item.FLAGS);
        profile.add(UIDFolder.FetchProfileItem.UID);
        profile.add("References");
        profile.add("In-Reply-To");
        folder.fetch(messages, profile);
        List<Fetched> out = new ArrayList<>();
        for (Message m : messages) {
            if (m.isExpunged()) {
                continue;
            }
            try {
                out.add(MimeMail.read((MimeMessage) m, folder.getUID(m), name));
            } catch (IOException | MessagingException | RuntimeException e) {
                // One malformed message must not stop the mailbox's sync for good: it is skipped and logged.
                if (e instanceof jakarta.mail.FolderClosedException || e instanceof jakarta.mail.StoreClosedException) {
                    throw (MessagingException) e;
                }
                io.quarkus.logging.Log.warnf("event=email_unreadable uid=%d error=%s message=\"%s\"", folder.getUID(m), e.getClass().getSimpleName(), e.getMessage());
            }
        }
        return out;
    }

    @Override
    public String setFlag(Email email, Flag flag, boolean value) {
        try (IMAPStore store = connect(session())) {
            Folders folders = discover(store);
            String path = folders.path(email.folder == null ? "inbox" : email.folder);
            if (path == null) {
                throw new MailboxException("the mailbox has no " + email.folder + " folder", false, null);
            }
            IMAPFolder folder = (IMAPFolder) store.getFolder(path);
            if (!folder.exists()) {
                throw new MailboxException("the mailbox has no " + folder.getName() + " folder", false, null);
            }
            folder.open(Folder.READ_WRITE);
            boolean expunge = false;
            try {
                Message[] found = email.messageId != null ? folder.search(new MessageIDTerm(email.messageId))
                        : email.imapUid == null ? new Message[0] : nonNull(folder.getMessageByUID(email.imapUid));
                if (found.length == 0) {
                    throw new MailboxException("the message is no longer in the mailbox's " + folder.getName() + " folder", false, null);
                }
                switch (flag) {
                    case READ -> folder.setFlags(found, new Flags(Flags.Flag.SEEN), value);
                    case STARRED -> folder.setFlags(found, new Flags(Flags.Flag.FLAGGED), value);
                    case ARCHIVED -> {
                        IMAPFolder target = (IMAPFolder) store.getFolder(value ? (folders.archive() != null ? folders.archive() : ARCHIVE) : "INBOX");
                        if (!target.exists()) {
                            target.create(Folder.HOLDS_MESSAGES);
                        }
                        if (store.hasCapability("MOVE")) {
                            folder.moveMessages(found, target);
                        } else {
                            folder.copyMessages(found, target);
                            folder.setFlags(found, new Flags(Flags.Flag.DELETED), true);
                            expunge = true;
                        }
                    }
                }
            } finally {
                folder.close(expunge);
            }
            return email.providerMessageId;
        } catch (MessagingException e) {
            throw failure("writing the flag to IMAP", e);
        }
    }

    @Override
    public Content attachment(Email email, EmailAttachment attachment) {
        IMAPStore store = null;
        try {
            store = connect(session());
            String path = discover(store).path(email.folder == null ? "inbox" : email.folder);
            if (path == null) {
                throw new MailboxException("the mailbox has no " + email.folder + " folder", false, null);
            }
            IMAPFolder folder = (IMAPFolder) store.getFolder(path);
            folder.open(Folder.READ_ONLY);
            Message[] found = email.messageId != null ? folder.search(new MessageIDTerm(email.messageId))
                    : email.imapUid == null ? new Message[0] : nonNull(folder.getMessageByUID(email.imapUid));
            if (found.length == 0) {
                throw new MailboxException("the message is no longer in the mailbox's " + folder.getName() + " folder", false, null);
            }
            jakarta.mail.Part part = MimeMail.part(found[0], attachment.providerAttachmentId);
            if (part == null) {
                throw new MailboxException("the message has no part " + attachment.providerAttachmentId, false, null);
            }
            // BODY.PEEK[section], decoded as it is read (mail.imap.peek: the download does not mark the mail read).
            IMAPStore open = store;
            Content content = new Content(part.getInputStream(), () -> {
                try {
                    folder.close(false);
                } finally {
                    open.close();
                }
            });
            store = null;
            return content;
        } catch (MessagingException e) {
            throw failure("reading the attachment from IMAP", e);
        } catch (IOException e) {
            throw new MailboxException("reading the attachment from IMAP failed: " + e.getClass().getSimpleName(), true, e);
        } finally {
            if (store != null) {
                try {
                    store.close();
                } catch (MessagingException ignored) {
                    // closing a failed connection
                }
            }
        }
    }

    private static Message[] nonNull(Message m) {
        return m == null ? new Message[0] : new Message[]{m};
    }

    @Override
    public Sent send(Outgoing mail) {
        Session session = session();
        MimeMessage message = MimeMail.build(session, mail);
        String tls = tls("smtp", "starttls");
        try (Transport transport = session.getTransport("ssl".equals(tls) ? "smtps" : "smtp")) {
            transport.connect(account.config("smtp_host"), port("smtp", tls, 465, 587), account.credential("username"), account.credential("password"));
            transport.sendMessage(message, message.getAllRecipients());
        } catch (MessagingException e) {
            throw failure("sending through SMTP", e);
        }
        String copyError = saveSentCopy() ? saveToSent(session, message) : null;
        return new Sent(null, mail.replyTo() != null && mail.replyTo().threadKey() != null ? mail.replyTo().threadKey() : mail.messageId(), copyError);
    }

    /**
     * Whether Weft APPENDs what it sent to the Sent folder: the connection's {@code save_sent}, by default yes, except
     * through Gmail's and Microsoft's SMTP, which file submitted mail in Sent themselves (a second copy would show twice).
     */
    boolean saveSentCopy() {
        String configured = account.config("save_sent");
        if (configured != null) {
            return Boolean.parseBoolean(configured);
        }
        String host = account.config("smtp_host");
        return host == null || SELF_FILING_SMTP.stream().noneMatch(d -> host.toLowerCase(java.util.Locale.ROOT).endsWith(d));
    }

    /**
     * What a mail client does after an SMTP send: APPEND the very message sent (same bytes and Message-ID, Bcc kept as
     * clients keep it) to the Sent folder the sync reads, {@code \Seen}; "Sent" is created when the mailbox has none.
     * The mail went out already, so a failure is answered (for the account's {@code last_sent_copy_error}), not thrown.
     */
    private String saveToSent(Session session, MimeMessage message) {
        try (IMAPStore store = connect(session)) {
            String path = discover(store).sent();
            IMAPFolder folder = (IMAPFolder) store.getFolder(path != null ? path : SENT);
            if (path == null && !folder.exists()) {
                folder.create(Folder.HOLDS_MESSAGES);
            }
            message.setFlag(Flags.Flag.SEEN, true);
            folder.appendMessages(new Message[]{message});
            return null;
        } catch (MessagingException | RuntimeException e) {
            String messageId;
            try {
                messageId = message.getMessageID();
            } catch (MessagingException ignored) {
                messageId = null;
            }
            io.quarkus.logging.Log.warnf("event=email_sent_copy_failed message_id=%s error=%s message=\"%s\"", messageId, e.getClass().getSimpleName(), e.getMessage());
            String why = e instanceof MessagingException me ? failure("saving to the Sent folder", me).getMessage()
                    : "saving to the Sent folder failed: " + e.getClass().getSimpleName();
            return "the mail " + messageId + " was sent but not saved to the Sent folder: " + why;
        }
    }
}
