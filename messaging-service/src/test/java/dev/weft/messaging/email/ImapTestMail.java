package dev.weft.messaging.email;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dev.weft.messaging.support.ChannelStubs;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.util.Date;
import java.util.Map;
import java.util.Properties;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;

/**
 * What the IMAP tests share: an {@code imap} connection to their GreenMail server, mail with a Message-ID of ours, and
 * the check of the folder counts the API shows.
 */
final class ImapTestMail {
    private ImapTestMail() {
    }

    /**
     * The org's folder counts at {@code path} (the long or the short form): each folder's total and unread, and the total;
     * the archive's unread only when {@code archiveUnread} is given.
     */
    static void assertFolderCounts(String path, String org, int inbox, int inboxUnread, int sent, int sentUnread, int archive,
                                   Integer archiveUnread) {
        var counts = as(org).get(path).then().statusCode(200)
                .body("folders.find { it.folder == 'inbox' }.total", equalTo(inbox))
                .body("folders.find { it.folder == 'inbox' }.unread", equalTo(inboxUnread))
                .body("folders.find { it.folder == 'sent' }.total", equalTo(sent))
                .body("folders.find { it.folder == 'sent' }.unread", equalTo(sentUnread))
                .body("folders.find { it.folder == 'archive' }.total", equalTo(archive))
                .body("total", equalTo(inbox + sent + archive));
        if (archiveUnread != null) {
            counts.body("folders.find { it.folder == 'archive' }.unread", equalTo(archiveUnread));
        }
    }

    /** An imap connection of the org to GreenMail's IMAP and SMTP (no TLS), logging in as the mailbox. */
    static String connection(String org, GreenMailExtension mail, String mailbox, String password) {
        return ChannelStubs.connection(org, "imap", Map.of("imap_host", "127.0.0.1", "imap_port", mail.getImap().getPort(), "imap_tls", "none",
                "smtp_host", "127.0.0.1", "smtp_port", mail.getSmtp().getPort(), "smtp_tls", "none", "address", mailbox),
                Map.of("username", mailbox, "password", password));
    }

    /** A text mail with this Message-ID (JavaMail would make its own), replying to {@code inReplyTo} when given. */
    static MimeMessage mail(String from, String to, String subject, String text, String messageId, String inReplyTo) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText(text);
        message.setSentDate(new Date());
        if (inReplyTo != null) {
            message.setHeader("In-Reply-To", inReplyTo);
            message.setHeader("References", inReplyTo);
        }
        message.saveChanges();
        return message;
    }
}
