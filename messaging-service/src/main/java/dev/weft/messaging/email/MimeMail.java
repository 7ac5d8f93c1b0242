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
                message.getSubject(), text, snippet(text), received == null ? Instant.now() : received.toInstant(), attachmentsOrNull(message));
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

    // ---- attachments

    /** At most this many attachments of one message are recorded (a hostile message may have thousands of parts). */
    static final int MAX_ATTACHMENTS = 100;
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

    /**
     * The message's attachments by their IMAP section numbers (RFC 3501: the parts of a multipart are 1, 2, ..., a
     * nested one's 2.1, 2.2; a message that is not multipart is section 1). A leaf part is an attachment when its
     * disposition is attachment, or it has a file name, or it is a non-text part with a Content-ID (an inline image);
     * the text/plain and text/html body parts are not. A message/rfc822 part is one attachment (not descended into).
     * From IMAP only the BODYSTRUCTURE is read (no content): the size is the part's size as the server reports it,
     * base64 decoded by arithmetic.
     */
    /** The attachments, or null (unknown: what is stored stays) when the structure cannot be read: the mail is still stored. */
    private static List<Mailbox.Attachment> attachmentsOrNull(MimeMessage message) throws MessagingException {
        try {
            return attachments(message);
        } catch (jakarta.mail.FolderClosedException | jakarta.mail.StoreClosedException e) {
            throw e;
        } catch (MessagingException | IOException | RuntimeException e) {
            io.quarkus.logging.Log.warnf("event=email_attachments_unreadable message_id=%s error=%s", message.getMessageID(), e.getClass().getSimpleName());
            return null;
        }
    }

    static List<Mailbox.Attachment> attachments(Part message) throws MessagingException, IOException {
        List<Mailbox.Attachment> out = new ArrayList<>();
        if (message.isMimeType("multipart/*") && message.getContent() instanceof Multipart multipart) {
            collect(multipart, "", out);
        } else {
            Mailbox.Attachment single = attachment(message, "1");
            if (single != null) {
                out.add(single);
            }
        }
        return out;
    }

    private static void collect(Multipart multipart, String prefix, List<Mailbox.Attachment> out) throws MessagingException, IOException {
        for (int i = 0; i < multipart.getCount() && out.size() < MAX_ATTACHMENTS; i++) {
            BodyPart child = multipart.getBodyPart(i);
            String section = prefix + (i + 1);
            if (child.isMimeType("multipart/*") && child.getContent() instanceof Multipart nested) {
                collect(nested, section + ".", out);
            } else {
                Mailbox.Attachment found = attachment(child, section);
                if (found != null) {
                    out.add(found);
                }
            }
        }
    }

    private static Mailbox.Attachment attachment(Part part, String section) throws MessagingException {
        String disposition = part.getDisposition();
        String filename = filename(part);
        String contentId = part instanceof jakarta.mail.internet.MimePart mime ? contentId(mime.getContentID()) : null;
        boolean attached = Part.ATTACHMENT.equalsIgnoreCase(disposition) || filename != null
                || contentId != null && !part.isMimeType("text/plain") && !part.isMimeType("text/html")
                || part.isMimeType("message/rfc822");
        if (!attached) {
            return null;
        }
        boolean inline = Part.INLINE.equalsIgnoreCase(disposition) || disposition == null && contentId != null;
        int size = part.getSize();
        String encoding = part instanceof jakarta.mail.internet.MimePart mime ? mime.getEncoding() : null;
        return new Mailbox.Attachment(section, filename, mediaType(part.getContentType()), size < 0 ? null : decodedSize(size, encoding), contentId, inline);
    }

    private static String filename(Part part) {
        try {
            String name = part.getFileName();
            if (name != null && name.contains("=?")) {
                name = jakarta.mail.internet.MimeUtility.decodeText(name);
            }
            return cleanFilename(name);
        } catch (MessagingException | java.io.UnsupportedEncodingException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A base64 part's size decoded: the encoded size less its line breaks (76 characters and CRLF a line, as RFC 2045
     * has it), three bytes for each four characters; within two bytes of the file's (the padding is not seen).
     */
    static long decodedSize(long encoded, String encoding) {
        if (encoding == null || !encoding.trim().equalsIgnoreCase("base64")) {
            return encoded;
        }
        long chars = encoded - 2 * ((encoded + 77) / 78);
        return Math.max(0, chars * 3 / 4);
    }

    /** The part at an IMAP section number ("2.1"), or null when the message has no such part. */
    static Part part(Part message, String section) throws MessagingException, IOException {
        Part current = message;
        String[] steps = section.split("\\.");
        for (int s = 0; s < steps.length; s++) {
            int n;
            try {
                n = Integer.parseInt(steps[s]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (current.isMimeType("multipart/*") && current.getContent() instanceof Multipart multipart) {
                if (n < 1 || n > multipart.getCount()) {
                    return null;
                }
                current = multipart.getBodyPart(n - 1);
            } else if (!(s == 0 && n == 1 && steps.length == 1)) {
                return null;
            }
        }
        return current;
    }

    /** A media type fit to store and to serve: the base type, lower-cased, when it is one; else application/octet-stream. */
    static String mediaType(String contentType) {
        if (contentType != null) {
            String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (MEDIA_TYPE.matcher(base).matches()) {
                return base;
            }
        }
        return "application/octet-stream";
    }

    /** A file name without control characters or path, at most 255 characters; null when nothing is left. */
    static String cleanFilename(String name) {
        if (name == null) {
            return null;
        }
        String cleaned = name.replaceAll("[\\p{Cntrl}]", "").replace('\\', '/');
        cleaned = cleaned.substring(cleaned.lastIndexOf('/') + 1).strip();
        if (cleaned.length() > 255) {
            cleaned = cleaned.substring(0, 255);
        }
        return cleaned.isEmpty() ? null : cleaned;
    }

    static String contentId(String header) {
        if (header == null) {
            return null;
        }
        String id = header.strip();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        id = id.replaceAll("[\\p{Cntrl}]", "");
        return id.isEmpty() ? null : id.length() > 255 ? id.substring(0, 255) : id;
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
