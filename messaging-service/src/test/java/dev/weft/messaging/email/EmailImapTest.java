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
import dev.weft.platform.events.Topics;
import dev.weft.testing.TestEvents;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.Flags;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Email through an IMAP/SMTP connection against GreenMail (random ports): sends arrive, synced mail is threaded,
 * matched to its entity, searchable and counted, flags reach the server, and a changed UIDVALIDITY is a full resync
 * without duplicates.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class EmailImapTest {
    private static final String MAILBOX = "sales@example.com";
    private static final String PASSWORD = "s3cret";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[]{
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser(MAILBOX, MAILBOX, PASSWORD));

    static String imapConnection(String org) {
        return ImapTestMail.connection(org, MAIL, MAILBOX, PASSWORD);
    }

    private static MimeMessage mail(String from, String subject, String text, String messageId, String inReplyTo) throws Exception {
        return ImapTestMail.mail(from, MAILBOX, subject, text, messageId, inReplyTo);
    }

    private static GreenMailUser user() {
        return MAIL.getUserManager().getUser(MAILBOX);
    }

    private static MailFolder folder(String name) throws Exception {
        ImapHostManager imap = MAIL.getManagers().getImapHostManager();
        return "INBOX".equals(name) ? imap.getInbox(user()) : imap.getFolder(user(), name);
    }

    private static JsonNode sync(String org) {
        return as(org).body("{}").post("/v1/email/sync").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
    }

    @Test
    void sent_mail_arrives_and_synced_replies_are_threaded_matched_searchable_and_counted() throws Exception {
        String org = Api.newOrg();
        String connection = imapConnection(org);
        // Matched before the mail exists: future mail from the address links to the entity.
        as(org).body("{\"emailAddress\":\"dana@company.com\",\"entityType\":\"contact\",\"entityId\":42}").post("/v1/email/match").then()
                .statusCode(200).body("entity_id", equalTo(42)).body("email_address", equalTo("dana@company.com"));

        JsonNode sent = as(org).body(Map.of("to", List.of("Dana Whitfield <dana@company.com>"), "subject", "Proposal for Q3",
                        "body", "Please find the proposal attached.", "cc", List.of(), "bcc", List.of()))
                .post("/v1/email/send").then().statusCode(201).body("folder", equalTo("sent")).body("connection_id", equalTo(connection))
                .body("to[0].address", equalTo("dana@company.com")).body("to[0].name", equalTo("Dana Whitfield")).extract().as(JsonNode.class);
        assertTrue(MAIL.waitForIncomingEmail(10_000, 1), "the mail reached the SMTP server");
        MimeMessage arrived = MAIL.getReceivedMessagesForDomain("company.com")[0];
        assertEquals("Proposal for Q3", arrived.getSubject());
        assertEquals(sent.path("message_id").asText(), arrived.getMessageID());
        assertEquals(MAILBOX, ((InternetAddress) arrived.getFrom()[0]).getAddress());

        // IMAP's INTERNALDATE has whole seconds: the reply is delivered in a later second than the send, as in life.
        sleep(1100);
        try (Events events = new Events(org)) {
            user().deliver(mail("Dana Whitfield <dana@company.com>", "Re: Proposal for Q3", "Thanks for the proposal. Could we move the call to Thursday?",
                    "<reply-1@company.com>", sent.path("message_id").asText()));
            user().deliver(mail("bob@other.org", "Invoice 1234", "The invoice for November is attached.", "<invoice-1234@other.org>", null));

            JsonNode account = sync(org);
            assertEquals("ok", account.path("status").asText(), account.toString());
            assertEquals(2, account.path("messages_synced").asInt());
            assertEquals("first sync", account.path("last_full_resync_reason").asText());

            JsonNode inbox = as(org).get("/v1/email/inbox").then().statusCode(200).body("data", hasSize(2)).extract().as(JsonNode.class);
            JsonNode reply = inbox.path("data").get(1).path("subject").asText().startsWith("Re:") ? inbox.path("data").get(1) : inbox.path("data").get(0);
            String replyId = reply.path("id").asText();
            assertEquals(sent.path("thread_id").asText(), reply.path("thread_id").asText(), "the reply joined the sent mail's thread");
            assertEquals("inbound", reply.path("direction").asText());

            List<JsonNode> received = events.exactly("email.received", replyId, 1);
            assertEquals("contact", received.getFirst().path("matched_entities").get(0).path("entity_type").asText());
            assertEquals("42", received.getFirst().path("matched_entities").get(0).path("entity_id").asText());
            assertEquals(connection, received.getFirst().path("connection_id").asText());
        }

        String thread = sent.path("thread_id").asText();
        as(org).get("/v1/email/thread/" + thread).then().statusCode(200).body("emails", hasSize(2)).body("message_count", equalTo(2))
                .body("emails[0].folder", equalTo("sent")).body("emails[1].subject", equalTo("Re: Proposal for Q3"))
                .body("matched_entities[0].entity_type", equalTo("contact")).body("matched_entities[0].entity_id", equalTo(42));
        as(org).get("/v1/email/threads/contact/42").then().statusCode(200).body("data", hasSize(1)).body("data[0].id", equalTo(thread))
                .body("data[0].message_count", equalTo(2));
        // Matched after the mail arrived: past mail links too.
        as(org).body(Map.of("email_address", "Bob@Other.org", "entity_type", "deal", "entity_id", "D-7")).post("/v1/email/match").then()
                .statusCode(200).body("emails_matched", equalTo(1));
        as(org).get("/v1/email/threads/deal/D-7").then().statusCode(200).body("data", hasSize(1)).body("data[0].subject", equalTo("Invoice 1234"));

        // Full-text search (stemmed: "invoices" finds "invoice").
        as(org).queryParam("q", "thursday").get("/v1/email/inbox").then().body("data", hasSize(1)).body("data[0].subject", equalTo("Re: Proposal for Q3"));
        as(org).queryParam("q", "invoices").get("/v1/email/inbox").then().body("data", hasSize(1)).body("data[0].subject", equalTo("Invoice 1234"));
        as(org).queryParam("q", "proposal").queryParam("folder", "sent").get("/v1/email/inbox").then().body("data", hasSize(1));
        as(org).queryParam("q", "nothing-like-this").get("/v1/email/inbox").then().body("data", hasSize(0));
        counts(org, 2, 2, 1, 0, 0);

        String replyId = as(org).queryParam("q", "thursday").get("/v1/email/inbox").then().extract().path("data[0].id");
        as(org).post("/v1/email/" + replyId + "/read").then().statusCode(200).body("is_read", equalTo(true));
        assertTrue(flagged("INBOX", "<reply-1@company.com>", Flags.Flag.SEEN), "\\Seen written to the IMAP server");
        as(org).queryParam("unread", "true").get("/v1/email/inbox").then().body("data", hasSize(1)).body("data[0].subject", equalTo("Invoice 1234"));
        as(org).body("{\"value\":true}").post("/v1/email/" + replyId + "/star").then().statusCode(200).body("is_starred", equalTo(true));
        as(org).body("{\"value\":true}").post("/v1/email/" + replyId + "/star").then().statusCode(200).body("is_starred", equalTo(true));
        assertTrue(flagged("INBOX", "<reply-1@company.com>", Flags.Flag.FLAGGED), "\\Flagged written to the IMAP server");
        counts(org, 2, 1, 1, 0, 0);

        as(org).post("/v1/email/" + replyId + "/archive").then().statusCode(200).body("is_archived", equalTo(true)).body("folder", equalTo("archive"));
        assertEquals(1, folder("INBOX").getMessageCount());
        assertEquals(1, folder(ImapMailbox.ARCHIVE).getMessageCount());
        counts(org, 1, 1, 1, 0, 1);
        // Flags on archived mail still reach the server (found in the archive folder).
        as(org).body("{\"value\":false}").post("/v1/email/" + replyId + "/read").then().statusCode(200).body("is_read", equalTo(false));
        assertTrue(!flagged(ImapMailbox.ARCHIVE, "<reply-1@company.com>", Flags.Flag.SEEN));

        // An incremental sync changes nothing.
        assertEquals(2, sync(org).path("messages_synced").asInt());
        as(org).get("/v1/email/inbox?folder=archive").then().body("data", hasSize(1));

        // A reply through the API carries the thread's headers and stays in the thread.
        MAIL.purgeEmailFromAllMailboxes();
        as(org).body(Map.of("to", List.of("dana@company.com"), "body", "Thursday works.", "reply_to_email_id", replyId))
                .post("/v1/email/send").then().statusCode(201).body("thread_id", equalTo(thread)).body("subject", equalTo("Re: Proposal for Q3"));
        assertTrue(MAIL.waitForIncomingEmail(10_000, 1));
        MimeMessage answer = MAIL.getReceivedMessagesForDomain("company.com")[0];
        assertEquals("<reply-1@company.com>", answer.getHeader("In-Reply-To", null));
        assertTrue(answer.getHeader("References", " ").contains(sent.path("message_id").asText()), answer.getHeader("References", " "));
        as(org).get("/v1/email/thread/" + thread).then().body("emails", hasSize(3));

        // Another org sees none of it.
        String other = Api.newOrg();
        as(other).get("/v1/email/thread/" + thread).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).post("/v1/email/" + replyId + "/read").then().statusCode(404);
        as(other).get("/v1/email/inbox").then().statusCode(200).body("data", hasSize(0));
        as(other).get("/v1/email/threads/contact/42").then().statusCode(200).body("data", hasSize(0));
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean flagged(String folder, String messageId, Flags.Flag flag) throws Exception {
        for (StoredMessage m : folder(folder).getMessages()) {
            if (messageId.equals(m.getMimeMessage().getMessageID())) {
                return m.isSet(flag);
            }
        }
        throw new AssertionError(messageId + " not in " + folder);
    }

    private static void counts(String org, int inbox, int inboxUnread, int sent, int sentUnread, int archive) {
        ImapTestMail.assertFolderCounts("/v1/email/folders/counts", org, inbox, inboxUnread, sent, sentUnread, archive, null);
    }

    @Test
    void a_changed_uidvalidity_is_a_full_resync_without_duplicates() throws Exception {
        String org = Api.newOrg();
        imapConnection(org);
        MimeMessage first = mail("ann@acme.io", "Kickoff", "Agenda for the kickoff.", "<kickoff@acme.io>", null);
        MimeMessage second = mail("ann@acme.io", "Re: Kickoff", "Notes from the kickoff.", "<notes@acme.io>", "<kickoff@acme.io>");
        try (Events events = new Events(org)) {
            user().deliver(first);
            user().deliver(second);
            JsonNode before = sync(org);
            assertEquals(2, before.path("messages_synced").asInt());
            long validity = before.path("imap_uid_validity").asLong();

            // GreenMail's UIDVALIDITY is the folder's creation second: a recreated INBOX has a new one.
            Thread.sleep(1100);
            ImapHostManager imap = MAIL.getManagers().getImapHostManager();
            forgetClosedSessions(imap.getInbox(user()));
            imap.deletePrivateMailAccount(user());
            imap.createPrivateMailAccount(user());
            user().deliver(first);
            user().deliver(second);
            user().deliver(mail("ann@acme.io", "Re: Kickoff", "One more thing.", "<more@acme.io>", "<notes@acme.io>"));

            JsonNode after = sync(org);
            assertNotEquals(validity, after.path("imap_uid_validity").asLong());
            assertTrue(after.path("last_full_resync_reason").asText().startsWith("UIDVALIDITY changed (" + validity + " to "), after.toString());
            assertEquals(3, after.path("messages_synced").asInt());
            as(org).get("/v1/email/inbox").then().body("data", hasSize(3));
            String notes = as(org).queryParam("q", "notes").get("/v1/email/inbox").then().body("data", hasSize(1)).extract().path("data[0].id");
            events.exactly("email.received", notes, 1);
            String thread = as(org).get("/v1/email/inbox").then().extract().path("data[0].thread_id");
            as(org).get("/v1/email/thread/" + thread).then().body("emails", hasSize(3));
        }
    }

    @Test
    void a_sync_requested_event_syncs_the_mailbox_in_the_background() {
        String org = Api.newOrg();
        String connection = imapConnection(org);
        try {
            user().deliver(mail("carl@corp.example", "Hello", "From the event.", "<evt-1@corp.example>", null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        TestEvents.publish(Topics.CONNECTIONS, "connection.sync_requested", org, connection,
                "{\"id\":\"csr_1\",\"org_id\":\"" + org + "\",\"connection_id\":\"" + connection + "\",\"provider\":\"imap\",\"type\":\"email\","
                        + "\"requested_at\":\"2026-12-05T02:00:00Z\"}");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (as(org).get("/v1/email/inbox").then().extract().jsonPath().getList("data").isEmpty() && System.nanoTime() < deadline) {
            sleep(200);
        }
        as(org).get("/v1/email/inbox").then().body("data", hasSize(1)).body("data[0].subject", equalTo("Hello"));
    }

    @Test
    void bad_requests_are_400_with_the_field() {
        String org = Api.newOrg();
        as(org).body("{\"to\":\"dana@company.com\",\"subject\":\"x\"}").post("/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("to"));
        as(org).body("{\"to\":[\"not-an-address\"]}").post("/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("to"));
        as(org).body("{\"to\":[],\"subject\":\"x\"}").post("/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("to"));
        as(org).body("{\"to\":[\"a@b.co\"],\"sender\":\"x\"}").post("/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("sender"));
        as(org).body("{\"to\":[\"a@b.co\"],\"subject\":42}").post("/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("subject"));
        as(org).body("[1,2]").post("/v1/email/send").then().statusCode(400);
        as(org).body("{\"to\":[\"a@b.co\"]").post("/v1/email/send").then().statusCode(400);
        // No mailbox connected.
        as(org).body("{\"to\":[\"a@b.co\"],\"body\":\"hi\"}").post("/v1/email/send").then().statusCode(400)
                .body("error.details.field", equalTo("connection_id")).body("error.message", containsString("no mail connection"));
        as(org).body("{\"to\":[\"a@b.co\"],\"reply_to_email_id\":\"eml_01jdc9j2k5m8n1p4q7r0s3t6v9\"}").post("/v1/email/send").then().statusCode(400)
                .body("error.details.field", equalTo("reply_to_email_id"));
        // Two mailboxes: the send names one.
        imapConnection(org);
        ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", "ya29.x"));
        as(org).body("{\"to\":[\"a@b.co\"],\"body\":\"hi\"}").post("/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("connection_id"));

        as(org).body("{\"emailAddress\":\"nope\",\"entityType\":\"contact\",\"entityId\":42}").post("/v1/email/match").then().statusCode(400)
                .body("error.details.field", equalTo("email_address"));
        as(org).body("{\"emailAddress\":\"a@b.co\"}").post("/v1/email/match").then().statusCode(400).body("error.details.field", equalTo("entity_type"));
        as(org).body("{\"emailAddress\":\"a@b.co\",\"entityType\":\"contact\",\"entityId\":4.5}").post("/v1/email/match").then().statusCode(400)
                .body("error.details.field", equalTo("entity_id"));
        as(org).get("/v1/email/inbox?folder=spam").then().statusCode(400).body("error.details.field", equalTo("folder"));
        as(org).get("/v1/email/inbox?unread=maybe").then().statusCode(400).body("error.details.field", equalTo("unread"));
        as(org).get("/v1/email/inbox?page=0").then().statusCode(400).body("error.details.field", equalTo("page"));
        as(org).get("/v1/email/inbox?limit=1000").then().statusCode(400).body("error.details.field", equalTo("limit"));
        as(org).get("/v1/email/inbox?cursor=garbage").then().statusCode(400);
        as(org).get("/v1/email/threads/Bad Type/1").then().statusCode(400);
        as(org).post("/v1/email/eml_garbage/read").then().statusCode(404);
        as(org).get("/v1/email/thread/thr_01jdc9j2k5m8n1p4q7r0s3t6v9").then().statusCode(404);
        as(org).body("{\"connection_id\":\"conn_01jdc9j2k5m8n1p4q7r0s3t6v9\"}").post("/v1/email/sync").then().statusCode(404);
        as(org).body("{\"connection_id\":7}").post("/v1/email/sync").then().statusCode(400);
    }

    /** As workflow-service calls it (a workflow's email notification): the platform's internal credential, as the org. */
    private static io.restassured.specification.RequestSpecification internal(String org) {
        return io.restassured.RestAssured.given().header("Authorization", "Weft-Internal " + ChannelStubs.TOKEN).header("X-Weft-Org", org)
                .header("X-Weft-Caller", "workflow-service").contentType(io.restassured.http.ContentType.JSON);
    }

    /** Messages in the inbox of {@code address} (0 before its first delivery creates the user). */
    private static int delivered(String address) throws Exception {
        GreenMailUser user = MAIL.getUserManager().getUserByEmail(address);
        return user == null ? 0 : MAIL.getManagers().getImapHostManager().getInbox(user).getMessageCount();
    }

    private static void awaitDelivered(String address, int count) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (delivered(address) < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(count, delivered(address), "delivered to " + address);
    }

    @Test
    void the_internal_send_takes_a_service_acting_for_the_org_and_sends_once_per_idempotency_key() throws Exception {
        String org = Api.newOrg();
        String connection = imapConnection(org);
        Map<String, Object> body = Map.of("to", List.of("Ops <ops@notify.example>"), "subject", "New lead Acme", "body", "Acme just signed up.",
                "connection_id", connection);
        JsonNode first = internal(org).header("Idempotency-Key", "exe_1:0").body(body).post("/internal/v1/email/send").then().statusCode(201)
                .body("folder", equalTo("sent")).body("connection_id", equalTo(connection)).body("subject", equalTo("New lead Acme"))
                .extract().as(JsonNode.class);
        // A retried step: the same key and body answer the first send again, and nothing more is sent.
        internal(org).header("Idempotency-Key", "exe_1:0").body(body).post("/internal/v1/email/send").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first.path("id").asText()))
                .body("thread_id", equalTo(first.path("thread_id").asText()));
        awaitDelivered("ops@notify.example", 1);
        Thread.sleep(500);
        // Counted in the recipient's inbox: the sender's Sent folder holds the copy Weft APPENDs, which GreenMail counts too.
        assertEquals(1, delivered("ops@notify.example"), "sent once");
        as(org).get("/v1/email/inbox?folder=sent").then().statusCode(200).body("data", hasSize(1));
        // Another step's key sends again.
        internal(org).header("Idempotency-Key", "exe_1:1").body(body).post("/internal/v1/email/send").then().statusCode(201)
                .body("id", not(equalTo(first.path("id").asText())));
        awaitDelivered("ops@notify.example", 2);

        // The internal credential is refused on the public path, and the internal path refuses a bad body as the public one does.
        internal(org).body(body).post("/v1/email/send").then().statusCode(401);
        internal(org).body(Map.of("to", List.of("nope"), "connection_id", connection)).post("/internal/v1/email/send").then().statusCode(400)
                .body("error.details.field", equalTo("to"));
        // Another org's system principal does not reach this org's mail connection.
        internal(Api.newOrg()).body(body).post("/internal/v1/email/send").then().statusCode(400).body("error.details.field", equalTo("connection_id"));
    }

    @Test
    void page_and_cursor_pagination_walk_the_inbox() throws Exception {
        String org = Api.newOrg();
        imapConnection(org);
        for (int i = 0; i < 5; i++) {
            user().deliver(mail("pat@page.example", "Page test " + i, "Body " + i, "<page-" + i + "@page.example>", null));
            Thread.sleep(5);
        }
        sync(org);
        as(org).get("/v1/email/inbox?limit=2&page=3").then().statusCode(200).body("data", hasSize(1)).body("pagination.page", equalTo(3));
        String next = as(org).get("/v1/email/inbox?limit=2").then().body("data", hasSize(2)).body("pagination.has_more", equalTo(true))
                .body("pagination.next_cursor", notNullValue()).extract().path("pagination.next_cursor");
        as(org).queryParam("limit", 2).queryParam("cursor", next).get("/v1/email/inbox").then().body("data", hasSize(2))
                .body("data.subject", not(hasItem("Page test 4")));
    }
}
