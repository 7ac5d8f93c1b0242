package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.MessageIDTerm;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.StreamSupport;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IMAP folders beyond INBOX against GreenMail: mail another client filed in the Sent folder and mail archived on the
 * server are synced into {@code sent} and {@code archive}, each folder by its own UIDVALIDITY and UID, every message
 * once (by Message-ID) however often it is synced or moved, and mail sent through Weft is not stored twice when the
 * server's Sent folder holds it too.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class EmailImapFoldersTest {
    private static final String MAILBOX = "ops@example.com";
    private static final String PASSWORD = "s3cret";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[]{
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser(MAILBOX, MAILBOX, PASSWORD));

    private static String imapConnection(String org) {
        return ImapTestMail.connection(org, MAIL, MAILBOX, PASSWORD);
    }

    private static MimeMessage mail(String from, String to, String subject, String text, String messageId) throws Exception {
        return ImapTestMail.mail(from, to, subject, text, messageId, null);
    }

    private static MimeMessage reply(String from, String to, String subject, String text, String messageId, String inReplyTo) throws Exception {
        return ImapTestMail.mail(from, to, subject, text, messageId, inReplyTo);
    }

    private static GreenMailUser user() {
        return MAIL.getUserManager().getUser(MAILBOX);
    }

    /** Another mail client of the same mailbox, over IMAP. */
    private static Store otherClient() throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", MAIL.getImap().getPort(), MAILBOX, PASSWORD);
        return store;
    }

    /** What a client does with mail it sent: APPENDs it to the folder, \Seen. */
    private static void append(String folderName, MimeMessage message) throws Exception {
        try (Store store = otherClient()) {
            Folder folder = store.getFolder(folderName);
            if (!folder.exists()) {
                folder.create(Folder.HOLDS_MESSAGES);
            }
            message.setFlag(Flags.Flag.SEEN, true);
            folder.appendMessages(new Message[]{message});
        }
    }

    /** Another client archives a message: MOVE from one folder to another (created when missing). */
    private static void move(String messageId, String from, String to) throws Exception {
        try (Store store = otherClient()) {
            Folder target = store.getFolder(to);
            if (!target.exists()) {
                target.create(Folder.HOLDS_MESSAGES);
            }
            IMAPFolder source = (IMAPFolder) store.getFolder(from);
            source.open(Folder.READ_WRITE);
            Message[] found = source.search(new MessageIDTerm(messageId));
            assertEquals(1, found.length, messageId + " in " + from);
            source.moveMessages(found, target);
            source.close(true);
        }
    }

    private static boolean flagged(String folder, String messageId, Flags.Flag flag) throws Exception {
        for (StoredMessage m : MAIL.getManagers().getImapHostManager().getFolder(user(), folder).getMessages()) {
            if (messageId.equals(m.getMimeMessage().getMessageID())) {
                return m.isSet(flag);
            }
        }
        throw new AssertionError(messageId + " not in " + folder);
    }

    private static JsonNode sync(String org) {
        return as(org).body("{}").post("/v1/email/sync").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
    }

    private static JsonNode position(JsonNode account, String folder) {
        return StreamSupport.stream(account.path("imap_folders").spliterator(), false).filter(f -> folder.equals(f.path("folder").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + folder + " position in " + account));
    }

    private static JsonNode folder(String org, String folder) {
        return as(org).queryParam("folder", folder).get("/v1/integrations/email/inbox").then().statusCode(200).extract().as(JsonNode.class).path("data");
    }

    private static String idOf(JsonNode emails, String subject) {
        for (JsonNode e : emails) {
            if (subject.equals(e.path("subject").asText())) {
                return e.path("id").asText();
            }
        }
        throw new AssertionError(subject + " not in " + emails);
    }

    private static void counts(String org, int inbox, int inboxUnread, int sent, int sentUnread, int archive, int archiveUnread) {
        ImapTestMail.assertFolderCounts("/v1/integrations/email/folders/counts", org, inbox, inboxUnread, sent, sentUnread, archive,
                archiveUnread);
    }

    @Test
    void mail_sent_from_another_client_and_mail_archived_on_the_server_land_in_their_folders_once() throws Exception {
        String org = Api.newOrg();
        imapConnection(org);
        try (Events events = new Events(org)) {
            // Sent through Weft: stored in sent at once, and APPENDed by Weft to the server's Sent folder (created: the
            // mailbox had none), \Seen, the same message with the same Message-ID.
            JsonNode sent = as(org).body(Map.of("to", List.of("carol@client.example"), "subject", "Contract", "body", "The contract is attached.",
                            "bcc", List.of("boss@example.com")))
                    .post("/v1/integrations/email/send").then().statusCode(201).body("folder", equalTo("sent")).extract().as(JsonNode.class);
            assertTrue(MAIL.waitForIncomingEmail(10_000, 3), "carol's, boss's and the Sent copy");
            List<StoredMessage> copies = MAIL.getManagers().getImapHostManager().getFolder(user(), "Sent").getMessages();
            assertEquals(1, copies.size(), "one copy in Sent");
            MimeMessage copy = copies.getFirst().getMimeMessage();
            assertEquals(sent.path("message_id").asText(), copy.getMessageID(), "the Message-ID Weft stored is the one it saved");
            assertEquals("Contract", copy.getSubject());
            assertEquals("boss@example.com", copy.getHeader("Bcc", null), "the sender's copy keeps its Bcc, as mail clients keep it");
            assertTrue(copies.getFirst().isSet(Flags.Flag.SEEN));
            for (StoredMessage delivered : MAIL.getManagers().getImapHostManager().getInbox(MAIL.getUserManager().getUserByEmail("carol@client.example")).getMessages()) {
                assertEquals(sent.path("message_id").asText(), delivered.getMimeMessage().getMessageID(), "the Message-ID Weft stored is the one it sent");
                assertEquals(null, delivered.getMimeMessage().getHeader("Bcc", null), "Bcc is not sent");
            }
            // Sent from another client, which filed it in Sent.
            append("Sent", mail(MAILBOX, "dave@partner.example", "Meeting notes", "Notes from Tuesday.", "<notes-1@example.com>"));
            user().deliver(mail("ann@acme.io", MAILBOX, "Quote request", "Could you send a quote?", "<quote-1@acme.io>"));
            user().deliver(mail("bob@other.org", MAILBOX, "Lunch", "Lunch on Friday?", "<lunch-1@other.org>"));

            JsonNode account = sync(org);
            assertEquals("ok", account.path("status").asText(), account.toString());
            assertTrue(account.path("last_sent_copy_error").isMissingNode(), "no sent copy error: " + account);
            assertEquals("first sync", account.path("last_full_resync_reason").asText());
            assertEquals(3, account.path("messages_synced").asInt(), "the two received and the one sent elsewhere; Weft's own send was stored already");
            assertEquals("Sent", position(account, "sent").path("path").asText());
            assertEquals(account.path("imap_uid_validity").asLong(), position(account, "inbox").path("uid_validity").asLong());

            JsonNode sentFolder = folder(org, "sent");
            assertEquals(2, sentFolder.size(), sentFolder.toString());
            assertEquals(sent.path("id").asText(), idOf(sentFolder, "Contract"), "Weft's sent mail took the server's copy, not a second row");
            String notes = idOf(sentFolder, "Meeting notes");
            as(org).queryParam("folder", "sent").queryParam("q", "tuesday").get("/v1/email/inbox").then()
                    .body("data", hasSize(1)).body("data[0].direction", equalTo("outbound")).body("data[0].to[0].address", equalTo("dave@partner.example"))
                    .body("data[0].is_read", equalTo(true));
            String quote = idOf(folder(org, "inbox"), "Quote request");
            counts(org, 2, 2, 2, 0, 0, 0);

            // Another client archives the quote request on the server: it leaves the inbox for the archive, as the same email.
            move("<quote-1@acme.io>", "INBOX", "Archive");
            account = sync(org);
            assertEquals("first sync of Archive", account.path("last_full_resync_reason").asText());
            assertEquals(3, account.path("messages_synced").asInt());
            as(org).queryParam("folder", "archive").get("/v1/email/inbox").then().body("data", hasSize(1))
                    .body("data[0].id", equalTo(quote)).body("data[0].is_archived", equalTo(true)).body("data[0].folder", equalTo("archive"));
            as(org).get("/v1/email/inbox").then().body("data", hasSize(1)).body("data[0].subject", equalTo("Lunch"));
            counts(org, 1, 1, 2, 0, 1, 1);

            // Flags are written in the folder the mail is in.
            as(org).post("/v1/email/" + quote + "/read").then().statusCode(200).body("is_read", equalTo(true));
            assertTrue(flagged("Archive", "<quote-1@acme.io>", Flags.Flag.SEEN));
            as(org).body("{\"value\":false}").post("/v1/email/" + notes + "/read").then().statusCode(200).body("is_read", equalTo(false));
            assertFalse(flagged("Sent", "<notes-1@example.com>", Flags.Flag.SEEN));

            // A resync adds nothing.
            account = sync(org);
            assertEquals(3, account.path("messages_synced").asInt());
            counts(org, 1, 1, 2, 1, 1, 0);
            as(org).queryParam("folder", "sent").get("/v1/email/inbox").then().body("data.subject", containsInAnyOrder("Contract", "Meeting notes"));

            events.exactly("email.received", quote, 1);
            events.exactly("email.received", notes, 0);
        }
    }

    /**
     * GreenMail keeps the listener of an IMAP session that selected a folder after the session logged out, and
     * deleting the folder then fails telling that closed session; the sessions are gone, so their listeners go too.
     */
    @SuppressWarnings("unchecked")
    private static void forgetClosedSessions(MailFolder folder) throws Exception {
        java.lang.reflect.Field listeners = folder.getClass().getDeclaredField("_mailboxListeners");
        listeners.setAccessible(true);
        for (com.icegreen.greenmail.store.FolderListener listener : List.copyOf((List<com.icegreen.greenmail.store.FolderListener>) listeners.get(folder))) {
            folder.removeListener(listener);
        }
    }

    @Test
    void a_changed_uidvalidity_of_the_sent_folder_fetches_that_folder_again_without_duplicates() throws Exception {
        String org = Api.newOrg();
        imapConnection(org);
        user().deliver(mail("erin@acme.io", MAILBOX, "Hello", "Hello there.", "<hello-1@acme.io>"));
        append("Sent Items", reply(MAILBOX, "erin@acme.io", "Re: Hello", "Hi Erin.", "<hi-erin@example.com>", "<hello-1@acme.io>"));
        JsonNode before = sync(org);
        assertEquals(2, before.path("messages_synced").asInt());
        JsonNode inboxBefore = position(before, "inbox");
        long sentValidity = position(before, "sent").path("uid_validity").asLong();
        assertEquals("Sent Items", position(before, "sent").path("path").asText());

        // GreenMail's UIDVALIDITY is the folder's creation second: the Sent folder recreated later has a new one.
        Thread.sleep(1100);
        ImapHostManager imap = MAIL.getManagers().getImapHostManager();
        forgetClosedSessions(imap.getFolder(user(), "Sent Items"));
        imap.deleteMailbox(user(), "Sent Items");
        append("Sent Items", reply(MAILBOX, "erin@acme.io", "Re: Hello", "Hi Erin.", "<hi-erin@example.com>", "<hello-1@acme.io>"));
        append("Sent Items", reply(MAILBOX, "erin@acme.io", "Re: Hello", "One more thing.", "<more-erin@example.com>", "<hi-erin@example.com>"));

        JsonNode after = sync(org);
        long newValidity = position(after, "sent").path("uid_validity").asLong();
        assertTrue(newValidity != sentValidity, after.toString());
        assertEquals("UIDVALIDITY changed (" + sentValidity + " to " + newValidity + ") in Sent Items", after.path("last_full_resync_reason").asText());
        assertEquals(inboxBefore, position(after, "inbox"), "the inbox's position is its own");
        assertEquals(3, after.path("messages_synced").asInt());
        as(org).queryParam("folder", "sent").get("/v1/email/inbox").then().body("data", hasSize(2));
        as(org).get("/v1/email/inbox").then().body("data", hasSize(1));
        String thread = as(org).get("/v1/email/inbox").then().extract().path("data[0].thread_id");
        as(org).get("/v1/email/thread/" + thread).then().body("emails", hasSize(3));
    }

    @Test
    void a_sent_copy_that_cannot_be_saved_does_not_fail_the_send_and_is_kept_on_the_account() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String org = Api.newOrg();
        // SMTP works, IMAP is unreachable: the mail goes out, its copy cannot be APPENDed.
        ChannelStubs.connection(org, "imap", Map.of("imap_host", "127.0.0.1", "imap_port", closed, "imap_tls", "none",
                "smtp_host", "127.0.0.1", "smtp_port", MAIL.getSmtp().getPort(), "smtp_tls", "none", "address", MAILBOX),
                Map.of("username", MAILBOX, "password", PASSWORD));
        JsonNode sent = as(org).body(Map.of("to", List.of("carol@client.example"), "subject", "Offer", "body", "Our offer."))
                .post("/v1/email/send").then().statusCode(201).body("folder", equalTo("sent")).extract().as(JsonNode.class);
        assertTrue(MAIL.waitForIncomingEmail(10_000, 1));
        assertEquals(sent.path("message_id").asText(), MAIL.getReceivedMessagesForDomain("client.example")[0].getMessageID());

        JsonNode account = sync(org);
        assertEquals("failing", account.path("status").asText(), "the sync cannot read the mailbox either: " + account);
        String error = account.path("last_sent_copy_error").asText();
        assertTrue(error.startsWith("the mail " + sent.path("message_id").asText() + " was sent but not saved to the Sent folder: saving to the Sent folder failed"),
                error);
        assertFalse(error.contains(PASSWORD), error);
    }

    @Test
    void save_sent_false_leaves_the_sent_folder_to_the_server() throws Exception {
        String org = Api.newOrg();
        ChannelStubs.connection(org, "imap", Map.of("imap_host", "127.0.0.1", "imap_port", MAIL.getImap().getPort(), "imap_tls", "none",
                "smtp_host", "127.0.0.1", "smtp_port", MAIL.getSmtp().getPort(), "smtp_tls", "none", "address", MAILBOX, "save_sent", false),
                Map.of("username", MAILBOX, "password", PASSWORD));
        as(org).body(Map.of("to", List.of("carol@client.example"), "subject", "No copy", "body", "Filed by the server."))
                .post("/v1/email/send").then().statusCode(201);
        assertTrue(MAIL.waitForIncomingEmail(10_000, 1));
        assertEquals(null, MAIL.getManagers().getImapHostManager().getFolder(user(), "Sent"), "no Sent folder made, nothing APPENDed");
        assertEquals(1, MAIL.getReceivedMessages().length);
    }
}
