package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.ServerSetup;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.ChannelStubs;
import dev.weft.platform.id.TypeId;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.weft.messaging.support.Api.as;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attachments: their metadata recorded by the sync from IMAP (GreenMail, MIME parts), Gmail (payload parts) and Graph
 * (the attachments list), shown on the email, and their content downloaded from the provider byte for byte.
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = ChannelStubs.class, restrictToAnnotatedClass = false)
class EmailAttachmentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAILBOX = "files@example.com";
    private static final String PASSWORD = "s3cret";
    private static final String GMAIL = "/gmail-api/gmail/v1/users/me";
    private static final String GRAPH = "/graph-api/v1.0";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[]{
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser(MAILBOX, MAILBOX, PASSWORD));

    private static WireMockServer stub() {
        return ChannelStubs.server();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static JsonNode sync(String org) {
        return as(org).body("{}").post("/v1/email/sync").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
    }

    private static JsonNode attachment(JsonNode email, String filename) {
        for (JsonNode a : email.path("attachments")) {
            if (filename.equals(a.path("filename").asText())) {
                return a;
            }
        }
        throw new AssertionError(filename + " not in " + email);
    }

    private static ExtractableResponse<Response> download(String org, String path) {
        return as(org).get(path).then().extract();
    }

    /** A quote with an HTML body showing an inline logo (multipart/related) and a PDF attached, as mail clients build it. */
    private static MimeMessage quote(byte[] pdf, byte[] logo) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", "<quote-77@acme.io>");
            }
        };
        message.setFrom(new InternetAddress("ann@acme.io"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(MAILBOX));
        message.setSubject("Quote 77");
        message.setSentDate(new Date());
        MimeBodyPart html = new MimeBodyPart();
        html.setText("<p>Our quote is attached.</p><img src=\"cid:logo-1@acme.io\">", "UTF-8", "html");
        MimeBodyPart image = new MimeBodyPart();
        image.setDataHandler(new DataHandler(new ByteArrayDataSource(logo, "image/png")));
        image.setContentID("<logo-1@acme.io>");
        image.setDisposition(Part.INLINE);
        MimeMultipart related = new MimeMultipart("related", html, image);
        MimeBodyPart relatedPart = new MimeBodyPart();
        relatedPart.setContent(related);
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
        file.setFileName("Angebot für \"Q3\".pdf");
        file.setDisposition(Part.ATTACHMENT);
        message.setContent(new MimeMultipart("mixed", relatedPart, file));
        message.saveChanges();
        return message;
    }

    @Test
    void imap_attachments_are_recorded_by_the_sync_and_downloaded_byte_for_byte() throws Exception {
        String org = Api.newOrg();
        ImapTestMail.connection(org, MAIL, MAILBOX, PASSWORD);
        byte[] pdf = random(50_001, 7);
        byte[] logo = random(1_234, 8);
        MAIL.getUserManager().getUser(MAILBOX).deliver(quote(pdf, logo));
        MAIL.getUserManager().getUser(MAILBOX).deliver(ImapTestMail.mail("bob@other.org", MAILBOX, "Plain", "No files.", "<plain-1@other.org>", null));
        assertEquals("ok", sync(org).path("status").asText());

        JsonNode inbox = as(org).get("/v1/email/inbox").then().statusCode(200).body("data", hasSize(2)).extract().as(JsonNode.class).path("data");
        JsonNode plain = "Plain".equals(inbox.get(0).path("subject").asText()) ? inbox.get(0) : inbox.get(1);
        assertFalse(plain.path("has_attachments").asBoolean());
        assertEquals(0, plain.path("attachments").size());

        String emailId = ("Quote 77".equals(inbox.get(0).path("subject").asText()) ? inbox.get(0) : inbox.get(1)).path("id").asText();
        JsonNode email = as(org).get("/v1/email/" + emailId).then().statusCode(200).extract().as(JsonNode.class);
        assertTrue(email.path("has_attachments").asBoolean(), email.toString());
        assertEquals(2, email.path("attachments").size(), email.toString());
        assertEquals("Our quote is attached.", email.path("body").asText().strip());
        JsonNode file = attachment(email, "Angebot für \"Q3\".pdf");
        assertEquals("application/pdf", file.path("content_type").asText());
        assertFalse(file.path("inline").asBoolean());
        assertTrue(Math.abs(file.path("size").asLong() - pdf.length) <= 2, "the decoded size, within the base64 padding: " + file);
        assertTrue(file.path("id").asText().startsWith("att_"), file.toString());
        JsonNode image = email.path("attachments").get(0);
        assertEquals("image/png", image.path("content_type").asText());
        assertTrue(image.path("inline").asBoolean(), image.toString());
        assertEquals("logo-1@acme.io", image.path("content_id").asText());

        ExtractableResponse<Response> got = download(org, "/v1/email/" + emailId + "/attachments/" + file.path("id").asText());
        assertEquals(200, got.statusCode(), got.asString());
        assertArrayEquals(pdf, got.asByteArray());
        assertEquals("application/pdf", got.contentType());
        assertEquals("attachment; filename=\"Angebot f_r _Q3_.pdf\"; filename*=UTF-8''Angebot%20f%C3%BCr%20%22Q3%22.pdf", got.header("Content-Disposition"));
        assertEquals("nosniff", got.header("X-Content-Type-Options"));
        got = download(org, "/v1/integrations/email/" + emailId + "/attachments/" + image.path("id").asText());
        assertEquals(200, got.statusCode(), got.asString());
        assertArrayEquals(logo, got.asByteArray());
        assertEquals("image/png", got.contentType());

        // Reading an attachment does not mark the mail read (BODY.PEEK).
        for (StoredMessage m : MAIL.getManagers().getImapHostManager().getInbox(MAIL.getUserManager().getUser(MAILBOX)).getMessages()) {
            assertFalse(m.isSet(Flags.Flag.SEEN), "still unread on the server");
        }
        // A resync keeps the attachments (and their ids).
        sync(org);
        as(org).get("/v1/email/" + emailId).then().statusCode(200).body("attachments", hasSize(2))
                .body("attachments[1].id", Matchers.equalTo(file.path("id").asText()));

        // Unknown, malformed, another email's and another org's: 404 in the error shape.
        as(org).get("/v1/email/" + emailId + "/attachments/" + TypeId.generate("att")).then().statusCode(404).body("error.code", Matchers.equalTo("NOT_FOUND"));
        as(org).get("/v1/email/" + emailId + "/attachments/nonsense").then().statusCode(404);
        as(org).get("/v1/email/" + plain.path("id").asText() + "/attachments/" + file.path("id").asText()).then().statusCode(404);
        String other = Api.newOrg();
        as(other).get("/v1/email/" + emailId + "/attachments/" + file.path("id").asText()).then().statusCode(404);
        as(other).get("/v1/email/" + emailId).then().statusCode(404);
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static MappingBuilder bearer(MappingBuilder mapping, String token) {
        return mapping.withHeader("Authorization", equalTo("Bearer " + token));
    }

    private static void json(MappingBuilder mapping, int status, String body) {
        stub().stubFor(mapping.willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    @Test
    void gmail_attachments_are_parts_with_an_attachment_id_and_download_through_attachments_get() throws Exception {
        String org = Api.newOrg();
        String token = "ya29." + TypeId.generate("tok");
        String id = "ga" + Long.toHexString(System.nanoTime());
        ChannelStubs.connection(org, "google", Map.of(), Map.of("access_token", token));
        byte[] sheet = random(30_000, 9);
        json(bearer(get(urlPathEqualTo(GMAIL + "/profile")), token), 200, "{\"emailAddress\":\"me@gmail.example\",\"historyId\":\"500\"}");
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages")), token), 200, "{\"messages\":[{\"id\":\"" + id + "\",\"threadId\":\"t-" + id + "\"}]}");
        String message = JSON.writeValueAsString(Map.of("id", id, "threadId", "t-" + id, "labelIds", List.of("INBOX", "UNREAD"), "snippet", "Figures attached",
                "internalDate", "1733050750000", "payload", Map.of("partId", "", "mimeType", "multipart/mixed", "filename", "",
                        "headers", List.of(Map.of("name", "From", "value", "dana@company.com"), Map.of("name", "Subject", "value", "Figures"),
                                Map.of("name", "Message-ID", "value", "<" + id + "@mail.gmail.com>")),
                        "body", Map.of("size", 0),
                        "parts", List.of(
                                Map.of("partId", "0", "mimeType", "text/plain", "filename", "", "body", Map.of("size", 16, "data", b64("Figures attached".getBytes(StandardCharsets.UTF_8)))),
                                Map.of("partId", "1", "mimeType", "application/vnd.ms-excel", "filename", "Q3 figures.xls",
                                        "headers", List.of(Map.of("name", "Content-Type", "value", "application/vnd.ms-excel; name=\"Q3 figures.xls\""),
                                                Map.of("name", "Content-Disposition", "value", "attachment; filename=\"Q3 figures.xls\"")),
                                        "body", Map.of("attachmentId", "ANGjdJ8-sheet", "size", sheet.length))))));
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/" + id)), token).withQueryParam("format", equalTo("full")), 200, message);
        json(bearer(get(urlPathEqualTo(GMAIL + "/messages/" + id + "/attachments/ANGjdJ8-sheet")), token), 200,
                "{\"size\":" + sheet.length + ",\"data\":\"" + b64(sheet) + "\"}");

        assertEquals("ok", sync(org).path("status").asText());
        JsonNode email = as(org).get("/v1/email/inbox").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
        assertTrue(email.path("has_attachments").asBoolean(), email.toString());
        assertEquals(1, email.path("attachments").size(), email.toString());
        JsonNode file = attachment(email, "Q3 figures.xls");
        assertEquals("application/vnd.ms-excel", file.path("content_type").asText());
        assertEquals(sheet.length, file.path("size").asInt());
        assertFalse(file.path("inline").asBoolean());

        ExtractableResponse<Response> got = download(org, "/v1/email/" + email.path("id").asText() + "/attachments/" + file.path("id").asText());
        assertEquals(200, got.statusCode(), got.asString());
        assertArrayEquals(sheet, got.asByteArray());
        assertEquals("application/vnd.ms-excel", got.contentType());
        stub().verify(1, getRequestedFor(urlPathEqualTo(GMAIL + "/messages/" + id + "/attachments/ANGjdJ8-sheet"))
                .withHeader("Authorization", equalTo("Bearer " + token)));
    }

    private static MappingBuilder delta(String folder, String token) {
        return bearer(get(urlPathEqualTo(GRAPH + "/me/mailFolders/" + folder + "/messages/delta")), token);
    }

    @Test
    void graph_attachments_are_listed_without_content_and_downloaded_from_value_with_a_size_cap() throws Exception {
        String org = Api.newOrg();
        String token = "eyJ0eXAi." + TypeId.generate("tok");
        String id = "gm" + Long.toHexString(System.nanoTime());
        ChannelStubs.connection(org, "microsoft", Map.of(), Map.of("access_token", token));
        String base = stub().baseUrl() + GRAPH;
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        m.put("conversationId", "c-" + id);
        m.put("internetMessageId", "<" + id + "@outlook.example>");
        m.put("subject", "Plan");
        m.put("bodyPreview", "The plan.");
        m.put("body", Map.of("contentType", "text", "content", "The plan."));
        m.put("from", Map.of("emailAddress", Map.of("name", "Lee Park", "address", "lee@partner.example")));
        m.put("toRecipients", List.of());
        m.put("ccRecipients", List.of());
        m.put("isRead", false);
        m.put("flag", Map.of("flagStatus", "notFlagged"));
        m.put("receivedDateTime", "2026-12-01T09:00:00Z");
        m.put("hasAttachments", true);
        json(delta("inbox", token).withQueryParam("$select", containing("hasAttachments")), 200,
                "{\"value\":[" + JSON.writeValueAsString(m) + "],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/inbox/messages/delta?$deltatoken=i1\"}");
        json(delta("sentitems", token), 200, "{\"value\":[],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/sentitems/messages/delta?$deltatoken=s1\"}");
        json(delta("archive", token), 200, "{\"value\":[],\"@odata.deltaLink\":\"" + base + "/me/mailFolders/archive/messages/delta?$deltatoken=a1\"}");
        // Microsoft's documented list: GET /me/messages/{id}/attachments, $select'ed to the metadata (no contentBytes).
        json(bearer(get(urlPathEqualTo(GRAPH + "/me/messages/" + id + "/attachments")), token).withQueryParam("$select", equalTo("id,name,contentType,size,isInline")),
                200, "{\"value\":[{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"id\":\"AAMk-plan=\",\"name\":\"plan.docx\","
                        + "\"contentType\":\"application/vnd.openxmlformats-officedocument.wordprocessingml.document\",\"size\":4096,\"isInline\":false},"
                        + "{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"id\":\"AAMk-video=\",\"name\":\"walkthrough.mp4\",\"contentType\":\"video/mp4\","
                        + "\"size\":300000000,\"isInline\":false}]}");
        byte[] docx = random(4096, 10);
        stub().stubFor(bearer(get(urlPathEqualTo(GRAPH + "/me/messages/" + id + "/attachments/AAMk-plan%3D/$value")), token)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream").withBody(docx)));

        assertEquals("ok", sync(org).path("status").asText());
        JsonNode email = as(org).get("/v1/email/inbox").then().statusCode(200).body("data", hasSize(1)).extract().as(JsonNode.class).path("data").get(0);
        assertTrue(email.path("has_attachments").asBoolean());
        assertEquals(2, email.path("attachments").size(), email.toString());
        JsonNode plan = attachment(email, "plan.docx");
        assertEquals(4096, plan.path("size").asInt());
        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document", plan.path("content_type").asText());

        ExtractableResponse<Response> got = download(org, "/v1/email/" + email.path("id").asText() + "/attachments/" + plan.path("id").asText());
        assertEquals(200, got.statusCode(), got.asString());
        assertArrayEquals(docx, got.asByteArray());
        assertEquals("attachment; filename=\"plan.docx\"; filename*=UTF-8''plan.docx", got.header("Content-Disposition"));

        // Beyond attachment-max-size (25 MB): 413 in the error shape, and Graph is not asked for it.
        JsonNode video = attachment(email, "walkthrough.mp4");
        as(org).get("/v1/email/" + email.path("id").asText() + "/attachments/" + video.path("id").asText()).then().statusCode(413)
                .body("error.code", Matchers.equalTo("PAYLOAD_TOO_LARGE"));
        stub().verify(0, getRequestedFor(urlPathEqualTo(GRAPH + "/me/messages/" + id + "/attachments/AAMk-video%3D/$value")));
    }
}
