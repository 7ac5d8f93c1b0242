package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.Flags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flag changes by CONDSTORE (RFC 7162): GreenMail offers no CONDSTORE, so the mailbox talks to it through
 * {@link CondstoreProxy}, which adds HIGHESTMODSEQ and CHANGEDSINCE. \Seen and \Flagged set in another client reach
 * the stored email on the next sync, found by {@code UID FETCH 1:n (FLAGS) (CHANGEDSINCE m)}, and the stored
 * HIGHESTMODSEQ advances.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class EmailCondstoreTest {
    private static final String MAILBOX = "desk@example.com";
    private static final String PASSWORD = "s3cret";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[]{
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser(MAILBOX, MAILBOX, PASSWORD));

    private static GreenMailUser user() {
        return MAIL.getUserManager().getUser(MAILBOX);
    }

    private static JsonNode sync(String org) {
        return as(org).body("{}").post("/v1/email/sync").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
    }

    private static JsonNode inboxPosition(JsonNode account) {
        for (JsonNode f : account.path("imap_folders")) {
            if ("inbox".equals(f.path("folder").asText())) {
                return f;
            }
        }
        throw new AssertionError("no inbox position in " + account);
    }

    /** Another client sets the flag on the server (GreenMail's store), and the server gives the message a new MODSEQ. */
    private static void flag(CondstoreProxy proxy, String messageId, Flags.Flag flag) throws Exception {
        MailFolder inbox = MAIL.getManagers().getImapHostManager().getInbox(user());
        for (StoredMessage m : inbox.getMessages()) {
            if (messageId.equals(m.getMimeMessage().getMessageID())) {
                inbox.setFlags(new Flags(flag), true, m.getUid(), null, false);
                proxy.changed(m.getUid());
                return;
            }
        }
        throw new AssertionError(messageId + " not in INBOX");
    }

    @Test
    void flags_changed_in_another_client_reach_the_stored_mail_by_changedsince_and_highestmodseq_advances() throws Exception {
        try (CondstoreProxy proxy = new CondstoreProxy(MAIL.getImap().getPort())) {
            String org = Api.newOrg();
            ChannelStubs.connection(org, "imap", Map.of("imap_host", "127.0.0.1", "imap_port", proxy.port(), "imap_tls", "none",
                    "smtp_host", "127.0.0.1", "smtp_port", MAIL.getSmtp().getPort(), "smtp_tls", "none", "address", MAILBOX),
                    Map.of("username", MAILBOX, "password", PASSWORD));
            user().deliver(ImapTestMail.mail("ann@acme.io", MAILBOX, "Renewal", "Time to renew.", "<renewal-1@acme.io>", null));
            user().deliver(ImapTestMail.mail("bob@other.org", MAILBOX, "Lunch", "Lunch on Friday?", "<lunch-1@other.org>", null));

            JsonNode first = sync(org);
            assertEquals("ok", first.path("status").asText(), first.toString());
            assertEquals(100, inboxPosition(first).path("highest_modseq").asLong(), first.toString());
            as(org).queryParam("unread", "true").get("/v1/email/inbox").then().body("data", hasSize(2));
            assertTrue(proxy.commands.stream().noneMatch(c -> c.contains("CHANGEDSINCE")), "a first sync reads everything: " + proxy.commands);

            // Read and starred in another client: the server's HIGHESTMODSEQ moves on.
            flag(proxy, "<renewal-1@acme.io>", Flags.Flag.SEEN);
            flag(proxy, "<renewal-1@acme.io>", Flags.Flag.FLAGGED);
            proxy.commands.clear();
            JsonNode second = sync(org);
            assertEquals("ok", second.path("status").asText(), second.toString());
            assertEquals(proxy.highestModSeq(), inboxPosition(second).path("highest_modseq").asLong(), second.toString());
            assertEquals(102, proxy.highestModSeq());
            List<String> changedSince = proxy.commands.stream().filter(c -> c.contains("CHANGEDSINCE")).toList();
            assertEquals(1, changedSince.size(), proxy.commands.toString());
            assertTrue(changedSince.getFirst().matches("\\S+ UID FETCH 1:2 \\(FLAGS\\) \\(CHANGEDSINCE 100\\)"), changedSince.getFirst());
            assertEquals(2, second.path("messages_synced").asInt(), "updated, not added");

            as(org).queryParam("q", "renewal").get("/v1/email/inbox").then().body("data", hasSize(1))
                    .body("data[0].is_read", equalTo(true)).body("data[0].is_starred", equalTo(true));
            as(org).queryParam("q", "lunch").get("/v1/email/inbox").then().body("data", hasSize(1))
                    .body("data[0].is_read", equalTo(false)).body("data[0].is_starred", equalTo(false));

            // Nothing changed since: the stored HIGHESTMODSEQ equals the server's, and no CHANGEDSINCE is sent.
            proxy.commands.clear();
            JsonNode third = sync(org);
            assertEquals(102, inboxPosition(third).path("highest_modseq").asLong());
            assertTrue(proxy.commands.stream().noneMatch(c -> c.contains("CHANGEDSINCE")), proxy.commands.toString());
        }
    }
}
