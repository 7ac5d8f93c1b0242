package dev.weft.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.contact.ContactService;
import dev.weft.messaging.message.ChannelSender;
import dev.weft.messaging.message.MessageService;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.Events;
import dev.weft.messaging.support.RecordingSender;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST/GET /v1/conversations/{id}/messages: replies through a ChannelSender, internal notes, and history without gaps or repeats. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class ConversationMessagesTest {
    @Inject
    RecordingSender telegram;
    @Inject
    ContactService contacts;
    @Inject
    MessageService messages;
    @Inject
    DataSource dataSource;

    /** A Telegram conversation with a contact whose chat id is known (as an inbound message would have made it). */
    private String telegramConversation(String org, String chatId) {
        String contact = inOrg(org, () -> contacts.findOrCreate("telegram", chatId).contactId());
        return Api.conversation(org, contact, "telegram");
    }

    @Test
    void an_agents_reply_is_sent_on_the_conversations_channel_and_its_outcome_recorded() {
        String org = Api.newOrg();
        String id = telegramConversation(org, "884422117");
        try (Events events = new Events(org)) {
            // Seed 003's reply body as written.
            String message = as(org).body("{\"author_type\":\"agent\",\"agent_id\":\"usr_01HXYZ7A6B5C4D3E2F1G0H9J8K\","
                            + "\"body\":\"Hi Jane, I updated your billing address. Please refresh your account page to confirm.\",\"internal\":false}")
                    .post("/v1/conversations/" + id + "/messages").then().statusCode(201)
                    .body("id", startsWith("msg_"))
                    .body("conversation_id", equalTo(id))
                    .body("author_type", equalTo("agent"))
                    .body("agent_id", equalTo("usr_01HXYZ7A6B5C4D3E2F1G0H9J8K"))
                    .body("body", startsWith("Hi Jane"))
                    .body("content", startsWith("Hi Jane"))
                    .body("internal", equalTo(false))
                    .body("direction", equalTo("outbound"))
                    .body("status", equalTo("sent"))
                    .body("platform_message_id", startsWith("tg-"))
                    .body("metadata.platform_message_id", startsWith("tg-"))
                    .body("created_at", notNullValue())
                    .extract().path("id");
            ChannelSender.OutboundMessage sent = telegram.sent().stream().filter(m -> m.messageId().equals(message)).findFirst().orElseThrow();
            assertEquals("884422117", sent.to());
            assertEquals(id, sent.conversationId());
            JsonNode created = events.exactly("message.created", message, 1).get(0);
            assertEquals("queued", created.path("status").asText());
            JsonNode updated = events.exactly("message.updated", message, 1).get(0);
            assertEquals("sent", updated.path("status").asText());
            assertEquals("queued", updated.path("previous_status").asText());
            // Both events carry the message as the API shows it, the update's extra fields beside it (written without a tree).
            assertEquals(id, created.path("conversation_id").asText());
            assertEquals("agent", created.path("author_type").asText());
            assertTrue(created.path("created_at").isTextual() && created.path("metadata").isObject(), created.toString());
            assertEquals(id, updated.path("conversation_id").asText());
            assertEquals(updated.path("platform_message_id").asText(), updated.path("metadata").path("platform_message_id").asText());
            assertTrue(updated.path("platform_message_id").asText().startsWith("tg-"), updated.toString());
            assertEquals("[\"status\",\"platform_message_id\"]", updated.path("changed_fields").toString());
            assertEquals(created.path("created_at").asText(), updated.path("created_at").asText());
            assertFalse(updated.has("activity") || updated.has("view") || updated.has("extra"), updated.toString());
        }
        as(org).get("/v1/conversations/" + id).then().body("last_message_at", notNullValue());
    }

    @Test
    void failures_are_stored_with_their_reason() {
        String org = Api.newOrg();
        String id = telegramConversation(org, "55501");
        telegram.answer(ChannelSender.SendOutcome.failed("403", "Forbidden: bot was blocked by the user"));
        as(org).body(Map.of("content", "hello")).post("/v1/conversations/" + id + "/messages").then().statusCode(201)
                .body("status", equalTo("failed")).body("error.code", equalTo("403")).body("error.message", startsWith("Forbidden"));
        telegram.answer(ChannelSender.SendOutcome.retry("429", "Too Many Requests: retry after 3"));
        String queued = as(org).body(Map.of("content", "again")).post("/v1/conversations/" + id + "/messages").then().statusCode(201)
                .body("status", equalTo("queued")).body("error.code", equalTo("429")).extract().path("id");
        // A later success (the retry the channel adapters bring) clears the error.
        TenantContext.runAs(SystemPrincipal.of(org, "system:test"),
                () -> messages.updateStatus(TypeId.parse("msg", queued).orElseThrow(), "sent", "tg-late", null, null));
        as(org).get("/v1/conversations/" + id + "/messages").then().body("data[0].status", equalTo("sent")).body("data[0].error", nullValue());
        // No adapter for email yet: stored as failed, saying so.
        String email = Api.conversation(org, Api.contact(org, Map.of("email", "failures@example.com")), "email");
        as(org).body(Map.of("content", "hi")).post("/v1/conversations/" + email + "/messages").then().statusCode(201)
                .body("status", equalTo("failed")).body("error.code", equalTo("channel_unavailable"));
        // WhatsApp has an adapter, but the org has no WhatsApp connection: stored as failed, saying so.
        String whatsapp = Api.conversation(org, Api.contact(org, Map.of("phone", "+971503333333")), "whatsapp");
        as(org).body(Map.of("content", "hi")).post("/v1/conversations/" + whatsapp + "/messages").then().statusCode(201)
                .body("status", equalTo("failed")).body("error.code", equalTo("no_connection"));
        // A contact with no address on the channel.
        String noAddress = Api.conversation(org, Api.contact(org, Map.of("email", "nochat@example.com")), "telegram");
        int before = telegram.sent().size();
        as(org).body(Map.of("content", "hi")).post("/v1/conversations/" + noAddress + "/messages").then().statusCode(201)
                .body("status", equalTo("failed")).body("error.code", equalTo("no_address"));
        assertEquals(before, telegram.sent().size());
    }

    @Test
    void an_internal_note_is_never_sent_and_a_closed_conversation_takes_only_notes() {
        String org = Api.newOrg();
        String id = telegramConversation(org, "7001");
        int before = telegram.sent().size();
        as(org).body(Map.of("agent_id", "usr_1", "content", "VIP, be nice", "internal", true)).post("/v1/conversations/" + id + "/messages").then()
                .statusCode(201).body("internal", equalTo(true)).body("status", equalTo("stored")).body("author_type", equalTo("agent"));
        assertEquals(before, telegram.sent().size());
        as(org).body(Map.of("status", "closed")).patch("/v1/conversations/" + id).then().statusCode(200);
        as(org).body(Map.of("content", "still there?")).post("/v1/conversations/" + id + "/messages").then().statusCode(409)
                .body("error.code", equalTo("CONFLICT"));
        as(org).body(Map.of("content", "closed: duplicate", "internal", true)).post("/v1/conversations/" + id + "/messages").then().statusCode(201);
        assertEquals(before, telegram.sent().size());
        as(org).get("/v1/contacts/" + as(org).get("/v1/conversations/" + id).path("contact_id")).then()
                .body("activity.last_outbound_at", nullValue());
    }

    @Test
    void records_a_providers_message_once_however_often_it_is_delivered() {
        String org = Api.newOrg();
        String id = telegramConversation(org, "31337");
        UUID conversation = TypeId.parse("cnv", id).orElseThrow();
        try (Events events = new Events(org)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(inOrg(org, () -> messages.record(conversation,
                        MessageService.NewMessage.inbound("text", "Hi, can you confirm my order?", "tg-in-1", null)).message().messageId()));
            }
            assertEquals(1, new HashSet<>(ids).size());
            events.exactly("message.created", ids.get(0), 1);
        }
        as(org).get("/v1/conversations/" + id + "/messages").then().body("data", hasSize(1)).body("data[0].direction", equalTo("inbound"))
                .body("data[0].status", equalTo("received")).body("data[0].author_type", equalTo("contact"));
    }

    @Test
    void history_pages_newest_first_without_gaps_or_repeats_even_for_equal_timestamps() throws Exception {
        String org = Api.newOrg();
        String id = telegramConversation(org, "1001");
        for (int i = 0; i < 30; i++) {
            as(org).body(Map.of("content", "note " + i, "internal", true)).post("/v1/conversations/" + id + "/messages").then().statusCode(201);
        }
        // Thirty messages with one timestamp (a provider's whole seconds, a clock that stood still).
        try (Connection db = dataSource.getConnection();
             PreparedStatement update = db.prepareStatement("UPDATE messages SET created_at = '2024-12-01T10:59:10Z' WHERE conversation_id = ?")) {
            update.setObject(1, TypeId.parse("cnv", id).orElseThrow());
            assertEquals(30, update.executeUpdate());
        }
        List<String> seen = walk(org, id, 7, null);
        assertEquals(30, seen.size());
        assertEquals(30, new HashSet<>(seen).size(), "no repeats");
        // Seed 001's before: an RFC 3339 time returns what is strictly older.
        as(org).queryParam("limit", 50).queryParam("before", "2024-12-01T11:00:00Z").get("/v1/conversations/" + id + "/messages").then()
                .statusCode(200).body("data", hasSize(30)).body("next_before", nullValue());
        as(org).queryParam("before", "2024-12-01T10:59:10Z").get("/v1/conversations/" + id + "/messages").then().body("data", hasSize(0));
        as(org).queryParam("before", "yesterday").get("/v1/conversations/" + id + "/messages").then().statusCode(400);
        as(org).queryParam("limit", 101).get("/v1/conversations/" + id + "/messages").then().statusCode(400);
    }

    @Test
    void a_reader_paging_back_misses_nothing_while_messages_arrive() throws Exception {
        String org = Api.newOrg();
        String id = telegramConversation(org, "2002");
        for (int i = 0; i < 40; i++) {
            as(org).body(Map.of("content", "before " + i, "internal", true)).post("/v1/conversations/" + id + "/messages").then().statusCode(201);
        }
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> writes = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writes.add(writers.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    as(org).body(Map.of("content", "during " + writer + "-" + i, "internal", true)).post("/v1/conversations/" + id + "/messages")
                            .then().statusCode(201);
                }
            }));
        }
        // Readers walk back from the top while the writers insert; each walk must hold every message at or below its
        // first page's top as it is at the end (nothing committed later landed behind a reader), each once, in order.
        List<List<String>> walks = new ArrayList<>();
        while (writes.stream().anyMatch(f -> !f.isDone())) {
            walks.add(walk(org, id, 9, null));
        }
        for (Future<?> write : writes) {
            write.get(60, TimeUnit.SECONDS);
        }
        writers.shutdown();
        List<String> finalOrder = walk(org, id, 100, null);
        assertEquals(100, finalOrder.size());
        assertTrue(walks.size() >= 1);
        for (List<String> walk : walks) {
            assertEquals(walk.size(), new HashSet<>(walk).size(), "no repeats");
            int top = finalOrder.indexOf(walk.get(0));
            assertEquals(finalOrder.subList(top, finalOrder.size()), walk, "no gaps below the first page's top");
        }
    }

    @Test
    void refuses_bad_messages_with_the_error_shape() {
        String org = Api.newOrg();
        String id = telegramConversation(org, "3003");
        for (String body : List.of("{not json", "[]", "{}", "{\"content\":\"\"}", "{\"content\":1}", "{\"content\":\"a\",\"internal\":\"yes\"}",
                "{\"content\":\"a\",\"type\":\"hologram\"}", "{\"type\":\"template\"}", "{\"type\":\"template\",\"template\":{\"language\":\"en\"}}",
                "{\"content\":\"a\",\"body\":\"b\"}", "{\"content\":\"a\",\"author_type\":\"contact\"}", "{\"content\":\"a\",\"surprise\":1}",
                "{\"content\":\"a\",\"metadata\":[]}")) {
            as(org).body(body).post("/v1/conversations/" + id + "/messages").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        }
        as(org).body(Map.of("content", "hi")).post("/v1/conversations/cnv_nope/messages").then().statusCode(404);
        as(org).get("/v1/conversations/" + id + "/messages").then().statusCode(200).body("data", hasSize(0)).body("next_before", nullValue());
    }

    private static <T> T inOrg(String org, java.util.concurrent.Callable<T> work) {
        try {
            return TenantContext.callAs(SystemPrincipal.of(org, "system:test"), work);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every message of the conversation from the top (or {@code before}), page by page through next_before. */
    private static List<String> walk(String org, String id, int limit, String before) {
        List<String> seen = new ArrayList<>();
        String position = before;
        Instant previousAt = null;
        String previousId = null;
        do {
            var request = as(org).queryParam("limit", limit);
            if (position != null) {
                request.queryParam("before", position);
            }
            Response page = request.get("/v1/conversations/" + id + "/messages");
            page.then().statusCode(200);
            List<String> ids = page.path("data.id");
            List<String> times = page.path("data.created_at");
            for (int i = 0; i < ids.size(); i++) {
                Instant at = Instant.parse(times.get(i));
                if (previousAt != null) {
                    int order = at.compareTo(previousAt);
                    // PostgreSQL orders uuids by their bytes: the canonical text compares the same way.
                    assertTrue(order < 0 || order == 0 && TypeId.parse("msg", ids.get(i)).orElseThrow().toString()
                            .compareTo(TypeId.parse("msg", previousId).orElseThrow().toString()) < 0, "newest first on (created_at, id)");
                }
                previousAt = at;
                previousId = ids.get(i);
            }
            seen.addAll(ids);
            position = page.path("next_before");
            assertEquals(position, page.path("pagination.next_cursor"));
        } while (position != null);
        return seen;
    }
}
