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
import java.util.List;
import java.util.Properties;

/**
 * An {@code imap} connection: IMAP for reading (INBOX by UIDVALIDITY and UID, flag changes by CONDSTORE's MODSEQ when
 * the server offers it) and flags, SMTP for sending. A changed UIDVALIDITY makes every stored UID meaningless: the
 * whole INBOX is fetched again, and the stored mail (keyed by Message-ID) is updated, not duplicated.
 */
final class ImapMailbox implements Mailbox {
    static final String ARCHIVE = "Archive";

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

    @Override
    public Changes fetch(MailPosition position) {
        try (IMAPStore store = connect(session())) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                long validity = inbox.getUIDValidity();
                boolean condstore = store.hasCapability("CONDSTORE");
                Long modseq = condstore ? inbox.getHighestModSeq() : null;
                boolean full = position.uidValidity() == null || position.lastUid() == null || position.uidValidity() != validity;
                String reason = position.uidValidity() != null && position.uidValidity() != validity
                        ? "UIDVALIDITY changed (" + position.uidValidity() + " to " + validity + ")" : null;
                long after = full ? 0 : position.lastUid();
                Message[] found = inbox.getMessagesByUID(after + 1, UIDFolder.MAXUID);
                if (full && found.length > config.fullSyncLimit()) {
                    found = Arrays.copyOfRange(found, found.length - config.fullSyncLimit(), found.length);
                }
                List<Fetched> out = new ArrayList<>();
                long last = after;
                for (Fetched f : read(inbox, found, "inbox")) {
                    if (f.imapUid() > after) {
                        out.add(f);
                        last = Math.max(last, f.imapUid());
                    }
                }
                if (!full && condstore && position.highestModSeq() != null && modseq != null && modseq > position.highestModSeq() && after > 0) {
                    // Flags changed on mail already stored (read or starred in another client).
                    out.addAll(read(inbox, inbox.getMessagesByUIDChangedSince(1, after, position.highestModSeq()), "inbox"));
                }
                return new Changes(out, new MailPosition(validity, last, modseq, null, null), full, reason);
            } finally {
                inbox.close(false);
            }
        } catch (MessagingException e) {
            throw failure("reading the IMAP inbox", e);
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
            IMAPFolder folder = (IMAPFolder) store.getFolder(email.archived ? ARCHIVE : "INBOX");
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
                        IMAPFolder target = (IMAPFolder) store.getFolder(value ? ARCHIVE : "INBOX");
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
        return new Sent(null, mail.replyTo() != null && mail.replyTo().threadKey() != null ? mail.replyTo().threadKey() : mail.messageId());
    }
}
