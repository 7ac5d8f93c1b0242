package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.messaging.support.Events;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gmail API and Microsoft Graph mailboxes against WireMock stubs that check the requests as the vendors document them
 * (Bearer token, paths, query, bodies): incremental syncs, a 404 historyId and a 410 delta link falling back to a full
 * resync without duplicates, flags written back, sends.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class EmailVendorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GMAIL = "/gmail-api/gmail/v1/users/me";
    private static final String GRAPH = "/graph-api/v1.0";

    private static WireMockServer stub() {
        return ChannelStubs.server();
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MappingBuilder bearer(MappingBuilder mapping, String token) {
        return mapping.withHeader("Authorization", equalTo("Bearer " + token));
    }

    private static void json(MappingBuilder mapping, int status, String body) {
        stub().stubFor(mapping.willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static String gmailMessage(String id, String thread, String subject, String text, String inReplyTo, String... labels) throws Exception {
        List<Map<String, String>> headers = new java.util.ArrayList<>(List.of(Map.of("name", "From", "value", "Dana Whitfield <dana@company.com>"),
                Map.of("name", "To", "value", "me@gmail.example"), Map.of("name", "Subject", "value", subject),
                Map.of("name", "Message-ID", "value", "<" + id + "@mail.gmail.com>")));
        if (inReplyTo != null) {
            headers.add(Map.of("name", "In-Reply-To", "value", inReplyTo));
        }
        return JSON.writeValueAsString(Map.of("id", id, "threadId", thread, "labelIds", List.of(labels), "snippet", text, "historyId", "999",
                "internalDate", String.valueOf(1_733_050_750_000L + id.hashCode() % 1000),
                "payload", Map.of("mimeType", "multipart/alternative", "headers", headers, "parts", List.of(
                        Map.of("mimeType", "text/plain", "body", Map.of("data", b64(text))),
                        Map.of("mimeType", "text/html", "body", Map.of("data", b64("<p>" + text + "</p>")))))));
    }

    private static JsonNode sync(String org) {
        return as(org).body("{}").post("/v1/email/sync").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
    }

    private static String idOf(String org, String subject) {
        return as(org).queryParam("q", subject).get("/v1/email/inbox").then().body("data", hasSize(1)).extract().path("data[0].id");
    }

    @Test
    void gmail_syncs_by_history_falls_back_on_404_writes_labels_and_sends_raw() throws Exception {
        String org = Api.newOrg();
        String token = "ya29." + TypeId.generate("tok");
        ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        json(bearer(get(urlPathEqualTo(GMAIL + "/profile")), token), 200, "{\"emailAddress\":\"me@gmail.example\",\"historyId\":\"1000\"}");
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages")), token).withQueryParam("maxResults", equalTo("100")), 200,
                "{\"messages\":[{\"id\":\"m1\",\"threadId\":\"t1\"},{\"id\":\"m2\",\"threadId\":\"t1\"}],\"resultSizeEstimate\":2}");
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/m1")), token).withQueryParam("format", equalTo("full")), 200,
                gmailMessage("m1", "t1", "Renewal quote", "Here is the renewal quote.", null, "INBOX", "UNREAD"));
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/m2")), token).withQueryParam("format", equalTo("full")), 200,
                gmailMessage("m2", "t1", "Re: Renewal quote", "Looks good, one question.", "<m1@mail.gmail.com>", "INBOX"));
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/m3")), token).withQueryParam("format", equalTo("full")), 200,
                gmailMessage("m3", "t3", "Onboarding", "Welcome aboard.", null, "INBOX", "UNREAD"));
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/m4")), token).withQueryParam("format", equalTo("full")), 200,
                gmailMessage("m4", "t1", "Re: Renewal quote", "Signed copy attached.", "<m2@mail.gmail.com>", "INBOX", "UNREAD", "STARRED"));

        try (Events events = new Events(org)) {
            JsonNode first = sync(org);
            assertEquals(2, first.path("messages_synced").asInt(), first.toString());
            assertEquals("1000", first.path("gmail_history_id").asText());
            String m1 = idOf(org, "renewal -looks");
            String thread = as(org).get("/v1/email/inbox").then().body("data", hasSize(2)).extract().path("data[0].thread_id");
            as(org).get("/v1/email/thread/" + thread).then().statusCode(200).body("emails", hasSize(2));

            // The stored historyId is too old: Gmail answers 404, and the mailbox is listed again in full.
            json(bearer(get(urlPathEqualTo(GMAIL + "/history")), token).withQueryParam("startHistoryId", equalTo("1000")), 404,
                    "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":\"NOT_FOUND\"}}");
            json(bearer(get(urlPathEqualTo(GMAIL + "/profile")), token), 200, "{\"emailAddress\":\"me@gmail.example\",\"historyId\":\"2000\"}");
            json(bearer(get(urlPathEqualTo(GMAIL + "/messages")), token).withQueryParam("maxResults", equalTo("100")), 200,
                    "{\"messages\":[{\"id\":\"m3\",\"threadId\":\"t3\"},{\"id\":\"m2\",\"threadId\":\"t1\"},{\"id\":\"m1\",\"threadId\":\"t1\"}]}");
            JsonNode resynced = sync(org);
            assertEquals("historyId 1000 expired (404)", resynced.path("last_full_resync_reason").asText());
            assertEquals("2000", resynced.path("gmail_history_id").asText());
            assertEquals(3, resynced.path("messages_synced").asInt());
            as(org).get("/v1/email/inbox").then().body("data", hasSize(3));
            events.exactly("email.received", m1, 1);

            // Incremental from 2000.
            json(bearer(get(urlPathEqualTo(GMAIL + "/history")), token).withQueryParam("startHistoryId", equalTo("2000")), 200,
                    "{\"history\":[{\"id\":\"2001\",\"messagesAdded\":[{\"message\":{\"id\":\"m4\",\"threadId\":\"t1\"}}]},"
                            + "{\"id\":\"2002\",\"labelsAdded\":[{\"message\":{\"id\":\"m4\",\"threadId\":\"t1\"},\"labelIds\":[\"STARRED\"]}]}],\"historyId\":\"2002\"}");
            JsonNode incremental = sync(org);
            assertEquals("2002", incremental.path("gmail_history_id").asText());
            assertEquals(4, incremental.path("messages_synced").asInt());
            as(org).get("/v1/email/thread/" + thread).then().body("emails", hasSize(3)).body("emails[2].is_starred", Matchers.equalTo(true));

            // Flags are labels, written with users.messages.modify.
            json(bearer(post(urlPathEqualTo(GMAIL + "/messages/m1/modify")), token), 200, "{\"id\":\"m1\",\"threadId\":\"t1\",\"labelIds\":[\"INBOX\"]}");
            as(org).post("/v1/email/" + m1 + "/read").then().statusCode(200).body("is_read", Matchers.equalTo(true));
            as(org).post("/v1/email/" + m1 + "/star").then().statusCode(200).body("is_starred", Matchers.equalTo(true));
            as(org).post("/v1/email/" + m1 + "/archive").then().statusCode(200).body("folder", Matchers.equalTo("archive"));
            stub().verify(1, postRequestedFor(urlPathEqualTo(GMAIL + "/messages/m1/modify")).withHeader("Authorization", equalTo("Bearer " + token))
                    .withRequestBody(equalToJson("{\"addLabelIds\":[],\"removeLabelIds\":[\"UNREAD\"]}")));
            stub().verify(1, postRequestedFor(urlPathEqualTo(GMAIL + "/messages/m1/modify"))
                    .withRequestBody(equalToJson("{\"addLabelIds\":[\"STARRED\"],\"removeLabelIds\":[]}")));
            stub().verify(1, postRequestedFor(urlPathEqualTo(GMAIL + "/messages/m1/modify"))
                    .withRequestBody(equalToJson("{\"addLabelIds\":[],\"removeLabelIds\":[\"INBOX\"]}")));

            // A reply: users.messages.send with the RFC 822 message base64url-encoded in raw, and the thread's threadId.
            json(bearer(post(urlPathEqualTo(GMAIL + "/messages/send")), token), 200, "{\"id\":\"m9\",\"threadId\":\"t1\",\"labelIds\":[\"SENT\"]}");
            String m4 = idOf(org, "signed");
            as(org).body(Map.of("to", List.of("dana@company.com"), "body", "Countersigned, thanks!", "reply_to_email_id", m4)).post("/v1/email/send")
                    .then().statusCode(201).body("thread_id", Matchers.equalTo(thread)).body("folder", Matchers.equalTo("sent"));
            List<LoggedRequest> sends = stub().findAll(postRequestedFor(urlPathEqualTo(GMAIL + "/messages/send"))
                    .withHeader("Authorization", equalTo("Bearer " + token)).withRequestBody(matchingJsonPath("$.threadId", equalTo("t1"))));
            assertEquals(1, sends.size());
            String raw = new String(Base64.getUrlDecoder().decode(JSON.readTree(sends.getFirst().getBodyAsString()).path("raw").asText()), StandardCharsets.UTF_8);
            assertTrue(raw.contains("To: dana@company.com") && raw.contains("In-Reply-To: <m4@mail.gmail.com>") && raw.contains("Subject: Re: Renewal quote")
                    && raw.contains("Countersigned, thanks!"), raw);
            // The sent message synced back later is the same row (Gmail's id m9).
            as(org).get("/v1/email/thread/" + thread).then().body("emails", hasSize(4));
        }
    }

    private static String graphMessage(String id, String conversation, String subject, String text, boolean read) throws Exception {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        m.put("conversationId", conversation);
        m.put("internetMessageId", "<" + id + "@outlook.example>");
        m.put("subject", subject);
        m.put("bodyPreview", text);
        m.put("body", Map.of("contentType", "text", "content", text));
        m.put("from", Map.of("emailAddress", Map.of("name", "Lee Park", "address", "lee@partner.example")));
        m.put("toRecipients", List.of(Map.of("emailAddress", Map.of("name", "Me", "address", "me@contoso.example"))));
        m.put("ccRecipients", List.of());
        m.put("isRead", read);
        m.put("flag", Map.of("flagStatus", "notFlagged"));
        m.put("receivedDateTime", "2026-11-30T09:0" + (id.length() % 10) + ":00Z");
        return JSON.writeValueAsString(m);
    }

    private static MappingBuilder delta(String folder, String token) {
        return bearer(get(urlPathEqualTo(GRAPH + "/me/mailFolders/" + folder + "/messages/delta")), token)
                .withHeader("Prefer", containing("IdType=\"ImmutableId\""));
    }

    @Test
    void graph_syncs_by_delta_falls_back_on_410_patches_flags_and_sends() throws Exception {
        String org = Api.newOrg();
        String token = "eyJ0eXAi." + TypeId.generate("tok");
        ChannelStubs.connection(org, "microsoft", Map.of(), Map.of("access_token", token));
        String base = stub().baseUrl() + GRAPH;
        json(delta("inbox", token).withQueryParam("$deltatoken", absent()).withQueryParam("$skiptoken", absent()), 200,
                "{\"value\":[" + graphMessage("g1", "c1", "Pilot scope", "Scope for the pilot.", false) + "],\"@odata.nextLink\":\""
                        + base + "/me/mailFolders/inbox/messages/delta?$skiptoken=page2\"}");
        json(delta("inbox", token).withQueryParam("$skiptoken", equalTo("page2")), 200,
                "{\"value\":[" + graphMessage("g22", "c1", "RE: Pilot scope", "Agreed on scope.", true) + ",{\"id\":\"gone\",\"@removed\":{\"reason\":\"deleted\"}}],"
                        + "\"@odata.deltaLink\":\"" + base + "/me/mailFolders/inbox/messages/delta?$deltatoken=inbox-1\"}");
        json(delta("sentitems", token), 200, "{\"value\":[],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/sentitems/messages/delta?$deltatoken=sent-1\"}");
        json(delta("archive", token), 404, "{\"error\":{\"code\":\"ErrorItemNotFound\",\"message\":\"The specified object was not found in the store.\"}}");

        JsonNode first = sync(org);
        assertEquals(2, first.path("messages_synced").asInt(), first.toString());
        String thread = as(org).get("/v1/email/inbox").then().body("data", hasSize(2)).extract().path("data[0].thread_id");
        as(org).get("/v1/email/thread/" + thread).then().body("emails", hasSize(2));

        // The delta token expired: 410 Gone, and every folder is read again from the start.
        json(delta("inbox", token).withQueryParam("$deltatoken", equalTo("inbox-1")), 410,
                "{\"error\":{\"code\":\"SyncStateNotFound\",\"message\":\"The sync state generation is not found.\"}}");
        json(delta("inbox", token).withQueryParam("$deltatoken", absent()).withQueryParam("$skiptoken", absent()), 200,
                "{\"value\":[" + graphMessage("g1", "c1", "Pilot scope", "Scope for the pilot.", false) + "," + graphMessage("g22", "c1", "RE: Pilot scope",
                        "Agreed on scope.", true) + "," + graphMessage("g333", "c3", "Security review", "Questionnaire enclosed.", false) + "],"
                        + "\"@odata.deltaLink\":\"" + base + "/me/mailFolders/inbox/messages/delta?$deltatoken=inbox-2\"}");
        JsonNode resynced = sync(org);
        assertEquals("delta link expired (410 Gone)", resynced.path("last_full_resync_reason").asText());
        assertEquals(3, resynced.path("messages_synced").asInt());
        as(org).get("/v1/email/inbox").then().body("data", hasSize(3));
        json(delta("inbox", token).withQueryParam("$deltatoken", equalTo("inbox-2")), 200,
                "{\"value\":[],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/inbox/messages/delta?$deltatoken=inbox-3\"}");
        assertEquals(3, sync(org).path("messages_synced").asInt());

        String g1 = idOf(org, "pilot -agreed");
        json(bearer(patch(urlPathEqualTo(GRAPH + "/me/messages/g1")), token), 200, graphMessage("g1", "c1", "Pilot scope", "Scope for the pilot.", true));
        json(bearer(post(urlPathEqualTo(GRAPH + "/me/messages/g1/move")), token), 201, graphMessage("g1", "c1", "Pilot scope", "Scope for the pilot.", true));
        as(org).post("/v1/email/" + g1 + "/read").then().statusCode(200).body("is_read", Matchers.equalTo(true));
        as(org).post("/v1/email/" + g1 + "/star").then().statusCode(200).body("is_starred", Matchers.equalTo(true));
        as(org).post("/v1/email/" + g1 + "/archive").then().statusCode(200).body("folder", Matchers.equalTo("archive"));
        stub().verify(1, patchRequestedFor(urlPathEqualTo(GRAPH + "/me/messages/g1")).withHeader("Authorization", equalTo("Bearer " + token))
                .withRequestBody(equalToJson("{\"isRead\":true}")));
        stub().verify(1, patchRequestedFor(urlPathEqualTo(GRAPH + "/me/messages/g1")).withRequestBody(equalToJson("{\"flag\":{\"flagStatus\":\"flagged\"}}")));
        stub().verify(1, postRequestedFor(urlPathEqualTo(GRAPH + "/me/messages/g1/move")).withRequestBody(equalToJson("{\"destinationId\":\"archive\"}")));

        stub().stubFor(bearer(post(urlPathEqualTo(GRAPH + "/me/sendMail")), token).willReturn(aResponse().withStatus(202)));
        as(org).body(Map.of("to", List.of("Lee Park <lee@partner.example>"), "cc", List.of("ops@contoso.example"), "subject", "Kickoff agenda",
                "body", "Agenda attached.")).post("/v1/email/send").then().statusCode(201).body("folder", Matchers.equalTo("sent"));
        stub().verify(1, postRequestedFor(urlPathEqualTo(GRAPH + "/me/sendMail")).withHeader("Authorization", equalTo("Bearer " + token))
                .withRequestBody(matchingJsonPath("$.message.subject", equalTo("Kickoff agenda")))
                .withRequestBody(matchingJsonPath("$.message.body.contentType", equalTo("Text")))
                .withRequestBody(matchingJsonPath("$.message.toRecipients[0].emailAddress.address", equalTo("lee@partner.example")))
                .withRequestBody(matchingJsonPath("$.message.ccRecipients[0].emailAddress.address", equalTo("ops@contoso.example")))
                .withRequestBody(matchingJsonPath("$.saveToSentItems", equalTo("true"))));
        // The sent mail comes back through the sentitems delta under Graph's id: the same row, not a second one.
        Map<String, Object> sentBack = new java.util.LinkedHashMap<>();
        sentBack.put("id", "gs1");
        sentBack.put("conversationId", "c9");
        sentBack.put("internetMessageId", "<gs1@outlook.example>");
        sentBack.put("subject", "Kickoff agenda");
        sentBack.put("body", Map.of("contentType", "text", "content", "Agenda attached."));
        sentBack.put("from", Map.of("emailAddress", Map.of("address", "me@contoso.example")));
        sentBack.put("toRecipients", List.of(Map.of("emailAddress", Map.of("address", "lee@partner.example"))));
        sentBack.put("ccRecipients", List.of(Map.of("emailAddress", Map.of("address", "ops@contoso.example"))));
        sentBack.put("isRead", true);
        sentBack.put("receivedDateTime", java.time.Instant.now().toString());
        json(delta("sentitems", token).withQueryParam("$deltatoken", equalTo("sent-1")), 200, "{\"value\":[" + JSON.writeValueAsString(sentBack)
                + "],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/sentitems/messages/delta?$deltatoken=sent-2\"}");
        json(delta("inbox", token).withQueryParam("$deltatoken", equalTo("inbox-3")), 200,
                "{\"value\":[],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/inbox/messages/delta?$deltatoken=inbox-4\"}");
        JsonNode last = sync(org);
        assertEquals("ok", last.path("status").asText(), last.toString());
        as(org).get("/v1/email/inbox?folder=sent").then().body("data", hasSize(1)).body("data[0].subject", Matchers.equalTo("Kickoff agenda"));
        as(org).get("/v1/email/folders/counts").then().body("folders.find { it.folder == 'sent' }.total", Matchers.equalTo(1));
    }

    @Test
    void a_refused_token_marks_the_mailbox_failing_and_a_refused_flag_changes_nothing() throws Exception {
        String org = Api.newOrg();
        String token = "ya29." + TypeId.generate("tok");
        ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        json(bearer(get(urlPathEqualTo(GMAIL + "/profile")), token), 200, "{\"emailAddress\":\"me@gmail.example\",\"historyId\":\"5\"}");
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages")), token), 200, "{\"messages\":[{\"id\":\"f1\",\"threadId\":\"ft\"}]}");
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/f1")), token), 200, gmailMessage("f1", "ft", "Flag me", "Body.", null, "INBOX", "UNREAD"));
        assertEquals("ok", sync(org).path("status").asText());
        String f1 = idOf(org, "flag");

        json(bearer(post(urlPathEqualTo(GMAIL + "/messages/f1/modify")), token), 403,
                "{\"error\":{\"code\":403,\"message\":\"Request had insufficient authentication scopes.\",\"status\":\"PERMISSION_DENIED\"}}");
        as(org).post("/v1/email/" + f1 + "/read").then().statusCode(502).body("error.code", Matchers.equalTo("UPSTREAM_ERROR"))
                .body("error.message", Matchers.containsString("insufficient authentication scopes"));
        as(org).get("/v1/email/inbox?unread=true").then().body("data", hasSize(1));

        json(bearer(get(urlPathEqualTo(GMAIL + "/history")), token), 401,
                "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}");
        JsonNode failing = sync(org);
        assertEquals("failing", failing.path("status").asText(), failing.toString());
        assertTrue(failing.path("last_error").asText().startsWith("Gmail answered HTTP 401"), failing.toString());
        assertTrue(!failing.toString().contains(token), "no token in the account state");
        assertEquals("5", failing.path("gmail_history_id").asText(), "the position is kept");
    }
}
