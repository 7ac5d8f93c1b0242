package dev.weft.messaging.email;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** RFC 822 messages both ways: built for SMTP and Gmail's raw send, read from IMAP (and Gmail's text parts). */
public final class MimeMail {
    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s]+>");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    static final int SNIPPET = 200;

    private MimeMail() {
    }

    /** The message as sent: From, To/Cc/Bcc, Subject, our Message-ID, and In-Reply-To/References for a reply. */
    public static MimeMessage build(Session session, Mailbox.Outgoing mail) {
        try {
            MimeMessage message = new MimeMessage(session) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    setHeader("Message-ID", mail.messageId());
                }
            };
            if (mail.from() != null) {
                message.setFrom(new InternetAddress(mail.from()));
            }
            message.setRecipients(Message.RecipientType.TO, addresses(mail.to()));
            message.setRecipients(Message.RecipientType.CC, addresses(mail.cc()));
            message.setRecipients(Message.RecipientType.BCC, addresses(mail.bcc()));
            message.setSubject(mail.subject() == null ? "" : mail.subject(), "UTF-8");
            message.setText(mail.body() == null ? "" : mail.body(), "UTF-8");
            message.setSentDate(new Date());
            if (mail.replyTo() != null && mail.replyTo().messageId() != null) {
                message.setHeader("In-Reply-To", mail.replyTo().messageId());
                List<String> references = new ArrayList<>(mail.replyTo().references() == null ? List.of() : mail.replyTo().references());
                references.add(mail.replyTo().messageId());
                message.setHeader("References", String.join(" ", references));
            }
            message.saveChanges();
            return message;
        } catch (MessagingException e) {
            throw new Mailbox.MailboxException("the message could not be built: " + e.getMessage(), false, e);
        }
    }

    public static byte[] bytes(MimeMessage message) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (IOException | MessagingException e) {
            throw new Mailbox.MailboxException("the message could not be written: " + e.getMessage(), false, e);
        }
    }

    public static Session session() {
        return Session.getInstance(new Properties());
    }

    private static InternetAddress[] addresses(List<Mailbox.Address> list) throws AddressException {
        if (list == null) {
            return new InternetAddress[0];
        }
        InternetAddress[] out = new InternetAddress[list.size()];
        for (int i = 0; i < list.size(); i++) {
            try {
                out[i] = new InternetAddress(list.get(i).address(), list.get(i).name(), "UTF-8");
            } catch (java.io.UnsupportedEncodingException e) {
                throw new AddressException(e.getMessage());
            }
        }
        return out;
    }

    /** An IMAP message as the sync stores it; {@code folder} is inbox, sent or archive. */
    public static Mailbox.Fetched read(MimeMessage message, long uid, String folder) throws MessagingException, IOException {
        String messageId = firstId(message.getMessageID());
        String inReplyTo = firstId(message.getHeader("In-Reply-To", " "));
        List<String> references = ids(message.getHeader("References", " "));
        // Keyed by Message-ID, so a message is one email whichever folders it is found in; without one, by folder and UID.
        String providerId = messageId != null ? "imap:" + messageId : "imap-uid:" + ("inbox".equals(folder) ? "" : folder + ":") + uid;
        String threadKey = !references.isEmpty() ? references.getFirst() : inReplyTo != null ? inReplyTo : messageId != null ? messageId : providerId;
        String text = text(message);
        Date received = message.getReceivedDate() != null ? message.getReceivedDate() : message.getSentDate();
        return new Mailbox.Fetched(providerId, uid, messageId, inReplyTo, references, threadKey, folder,
                message.isSet(Flags.Flag.SEEN), message.isSet(Flags.Flag.FLAGGED), first(message.getFrom()),
                list(message.getRecipients(Message.RecipientType.TO)), list(message.getRecipients(Message.RecipientType.CC)),
                message.getSubject(), text, snippet(text), received == null ? Instant.now() : received.toInstant());
    }

    public static String firstId(String header) {
        List<String> found = ids(header);
        return found.isEmpty() ? (header == null || header.isBlank() ? null : header.trim()) : found.getFirst();
    }

    public static List<String> ids(String header) {
        List<String> found = new ArrayList<>();
        if (header != null) {
            Matcher m = MESSAGE_ID.matcher(header);
            while (m.find()) {
                found.add(m.group());
            }
        }
        return found;
    }

    public static String snippet(String text) {
        if (text == null) {
            return null;
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= SNIPPET ? flat : flat.substring(0, SNIPPET);
    }

    public static String stripHtml(String html) {
        return html == null ? null : TAG.matcher(html).replaceAll(" ").replace("&nbsp;", " ").replace("&amp;", "&")
                .replace("&lt;", "<").replace("&gt;", ">").replaceAll("[ \\t]+", " ").strip();
    }

    /** Parses one "Name <address>" header value (Gmail's From/To/Cc) into addresses; unparseable parts are left out. */
    public static List<Mailbox.Address> parseAddresses(String header) {
        List<Mailbox.Address> out = new ArrayList<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        try {
            for (InternetAddress a : InternetAddress.parseHeader(header, false)) {
                if (a.getAddress() != null && a.getAddress().contains("@")) {
                    out.add(new Mailbox.Address(a.getAddress(), a.getPersonal()));
                }
            }
        } catch (AddressException e) {
            // A malformed header yields no addresses rather than failing the sync.
        }
        return out;
    }

    private static Mailbox.Address first(Address[] addresses) {
        List<Mailbox.Address> all = list(addresses);
        return all.isEmpty() ? null : all.getFirst();
    }

    private static List<Mailbox.Address> list(Address[] addresses) {
        List<Mailbox.Address> out = new ArrayList<>();
        if (addresses != null) {
            for (Address a : addresses) {
                if (a instanceof InternetAddress ia && ia.getAddress() != null) {
                    out.add(new Mailbox.Address(ia.getAddress(), ia.getPersonal()));
                }
            }
        }
        return out;
    }

    /** The text/plain part, else the text/html part without tags; attachments skipped. */
    static String text(Part part) throws MessagingException, IOException {
        String plain = find(part, "text/plain");
        if (plain != null) {
            return plain;
        }
        return stripHtml(find(part, "text/html"));
    }

    private static String find(Part part, String type) throws MessagingException, IOException {
        if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return null;
        }
        if (part.isMimeType(type)) {
            Object content = part.getContent();
            if (content instanceof String s) {
                return s;
            }
            if (content instanceof InputStream in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return null;
        }
        if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                String found = find(child, type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
