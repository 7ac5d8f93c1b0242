package dev.weft.messaging.document;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.weft.messaging.document.DocumentClient.as;
import static dev.weft.messaging.document.DocumentClient.announce;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /v1/documents through the real HTTP API with the default filesystem store: the presigned round trip done by a plain
 * HTTP client, every way a URL can be misused, the limits, confirm's checks, document.uploaded on the real topic.
 * The test profile's limit is 1 MiB (application.properties).
 */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class DocumentApiTest {
    static final String SEED_002 = "{\"fileName\": \"contract.pdf\", \"contentType\": \"application/pdf\", \"entityType\": \"account\", \"entityId\": 1}";
    static final long LIMIT = 1_048_576;

    @Test
    void uploads_confirms_and_downloads_seed_002s_document_and_publishes_once_after_confirm() {
        String org = Api.newOrg();
        byte[] content = "%PDF-1.7 a contract\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        try (Events events = new Events(org)) {
            as(org).get("/v1/documents/config").then().statusCode(200)
                    .body("store", equalTo("filesystem")).body("configured", equalTo(true))
                    .body("max_size_bytes", equalTo((int) LIMIT)).body("allowed_content_types", hasItem("application/pdf"))
                    .body("upload_url_lifetime_seconds", equalTo(900)).body("download_url_lifetime_seconds", equalTo(300));
            JsonPath upload = JsonPath.from(as(org).body(SEED_002).post("/v1/documents/upload").then().statusCode(201)
                    .body("document.id", startsWith("doc_"))
                    .body("document.status", equalTo("pending"))
                    .body("document.file_name", equalTo("contract.pdf"))
                    .body("document.content_type", equalTo("application/pdf"))
                    .body("document.entity_type", equalTo("account"))
                    .body("document.entity_id", equalTo(1))
                    .body("document.org_id", equalTo(org))
                    .body("method", equalTo("PUT"))
                    .body("headers.Content-Type", equalTo("application/pdf"))
                    .body("upload_url", containsString("/v1/documents/blobs/"))
                    .extract().asString());
            String id = upload.getString("document.id");
            Instant expires = Instant.parse(upload.getString("expires_at"));
            assertTrue(expires.isAfter(Instant.now().plusSeconds(800)) && expires.isBefore(Instant.now().plusSeconds(901)), "15 minutes: " + expires);

            HttpResponse<String> put = DocumentClient.put(upload.getString("upload_url"), "application/pdf", content);
            assertEquals(200, put.statusCode(), put.body());
            assertTrue(put.body().contains("\"received_bytes\":" + content.length), put.body());
            // Uploaded but not confirmed: still pending, no event, no download.
            as(org).get("/v1/documents/" + id).then().statusCode(200).body("status", equalTo("pending")).body("size_bytes", nullValue());
            events.exactly("document.uploaded", id, 0);
            as(org).get("/v1/documents/" + id + "/download").then().statusCode(409).body("error.code", equalTo("CONFLICT"));

            as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(200)
                    .body("status", equalTo("uploaded")).body("size_bytes", equalTo(content.length))
                    .body("sha256", equalTo(DocumentClient.sha256(content))).body("uploaded_at", notNullValue());
            // Confirming again changes nothing and publishes nothing more.
            as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(200).body("status", equalTo("uploaded"));
            JsonNode event = events.exactly("document.uploaded", id, 1).get(0);
            assertEquals(id, event.path("id").asText());
            assertEquals("1", event.path("entity_id").asText());
            assertTrue(event.path("entity_id").isTextual(), "the event's entity_id is a string: " + event);
            assertEquals(content.length, event.path("size_bytes").asLong());
            assertEquals(DocumentClient.sha256(content), event.path("sha256").asText());

            String url = as(org).get("/v1/documents/" + id + "/download").then().statusCode(200)
                    .body("method", equalTo("GET")).body("file_name", equalTo("contract.pdf")).body("size_bytes", equalTo(content.length))
                    .extract().path("download_url");
            HttpResponse<byte[]> got = DocumentClient.get(url);
            assertEquals(200, got.statusCode());
            assertArrayEquals(content, got.body());
            assertEquals("application/pdf", got.headers().firstValue("Content-Type").orElse(""));
            assertTrue(got.headers().firstValue("Content-Disposition").orElse("").contains("filename=\"contract.pdf\""));

            // Found by entity (the numeric id of seed 002 as a path segment), by filters, and by id.
            as(org).get("/v1/documents/entity/account/1").then().statusCode(200).body("data", hasSize(1)).body("data[0].id", equalTo(id));
            as(org).get("/v1/documents?entity_type=account&entity_id=1&status=uploaded&content_type=application/pdf").then().statusCode(200)
                    .body("data", hasSize(1));
            as(org).get("/v1/documents?status=pending").then().statusCode(200).body("data", hasSize(0));
            as(org).get("/v1/documents/entity/account/2").then().statusCode(200).body("data", hasSize(0));

            // Delete removes the stored file too: the old download URL finds nothing.
            Path file = Path.of("target/documents", org, id);
            assertTrue(Files.exists(file), "stored at " + file.toAbsolutePath());
            as(org).delete("/v1/documents/" + id).then().statusCode(204);
            assertFalse(Files.exists(file), "the file is deleted with the document");
            as(org).get("/v1/documents/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
            assertEquals(404, DocumentClient.get(url).statusCode());
        }
    }

    @Test
    void refuses_expired_changed_tampered_and_reused_upload_urls() {
        String org = Api.newOrg();
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        JsonPath a = announce(org, Map.of("file_name", "a.txt", "content_type", "text/plain"));
        JsonPath b = announce(org, Map.of("file_name", "b.txt", "content_type", "text/plain"));
        String urlA = a.getString("upload_url");
        String idA = a.getString("document.id");
        String idB = b.getString("document.id");

        // The path changed to another document: the signature covers the document.
        assertRefused(DocumentClient.put(urlA.replace(idA, idB), "text/plain", content), 401, "INVALID_SIGNATURE");
        // A changed query (a longer lifetime, a larger limit), a tampered signature, another org, no signature.
        assertRefused(DocumentClient.put(DocumentClient.withParam(urlA, "expires", Long.toString(Instant.now().getEpochSecond() + 86_400)),
                "text/plain", content), 401, "INVALID_SIGNATURE");
        assertRefused(DocumentClient.put(DocumentClient.withParam(urlA, "max", "999999999"), "text/plain", content), 401, "INVALID_SIGNATURE");
        String signature = urlA.replaceAll(".*[?&]signature=([^&]*).*", "$1");
        String flipped = (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);
        assertRefused(DocumentClient.put(DocumentClient.withParam(urlA, "signature", flipped), "text/plain", content), 401, "INVALID_SIGNATURE");
        assertRefused(DocumentClient.put(DocumentClient.withParam(urlA, "org", Api.newOrg()), "text/plain", content), 401, "INVALID_SIGNATURE");
        assertRefused(DocumentClient.put(urlA.replaceAll("&signature=[^&]*", ""), "text/plain", content), 401, "INVALID_SIGNATURE");
        // The upload URL used as a download URL: the method is signed too.
        assertEquals(401, DocumentClient.get(urlA).statusCode());

        // Expired: correctly signed (with the test secret) but its time is past → 403, not a signature error.
        long past = Instant.now().getEpochSecond() - 5;
        String expired = DocumentClient.withParam(DocumentClient.withParam(urlA, "expires", Long.toString(past)), "signature",
                DocumentClient.sign("PUT", org, idA, past, LIMIT));
        assertRefused(DocumentClient.put(expired, "text/plain", content), 403, "FORBIDDEN");

        // Another content type than declared.
        assertRefused(DocumentClient.put(urlA, "application/pdf", content), 415, "UNSUPPORTED_MEDIA_TYPE");

        // None of that stored anything; the real URL works once, and reusing it is refused.
        as(org).post("/v1/documents/" + idA + "/confirm").then().statusCode(409).body("error.code", equalTo("CONFLICT"));
        assertEquals(200, DocumentClient.put(urlA, "text/plain; charset=utf-8", content).statusCode());
        assertRefused(DocumentClient.put(urlA, "text/plain", "replaced".getBytes(StandardCharsets.UTF_8)), 409, "CONFLICT");
        as(org).post("/v1/documents/" + idA + "/confirm").then().statusCode(200).body("size_bytes", equalTo(content.length));
        assertRefused(DocumentClient.put(urlA, "text/plain", content), 409, "CONFLICT");

        // Download URLs: expired, tampered and changed ones are refused the same way.
        String download = as(org).get("/v1/documents/" + idA + "/download").then().statusCode(200).extract().path("download_url");
        assertArrayEquals(content, DocumentClient.get(download).body());
        String expiredDownload = DocumentClient.withParam(DocumentClient.withParam(download, "expires", Long.toString(past)), "signature",
                DocumentClient.sign("GET", org, idA, past, 0));
        assertEquals(403, DocumentClient.get(expiredDownload).statusCode());
        assertEquals(401, DocumentClient.get(DocumentClient.withParam(download, "expires", Long.toString(past + 100_000))).statusCode());
        assertEquals(401, DocumentClient.get(download.replace(idA, idB)).statusCode());
        // b was never uploaded: a correctly signed download URL for it finds nothing to serve.
        long future = Instant.now().getEpochSecond() + 60;
        String unconfirmed = DocumentClient.withParam(DocumentClient.withParam(download.replace(idA, idB), "expires", Long.toString(future)),
                "signature", DocumentClient.sign("GET", org, idB, future, 0));
        assertEquals(404, DocumentClient.get(unconfirmed).statusCode());
    }

    @Test
    void refuses_sizes_over_the_limit_before_and_while_uploading() {
        String org = Api.newOrg();
        // A declared 2 GB file is refused before any upload URL exists, and nothing is created.
        as(org).body(Map.of("fileName", "huge.zip", "contentType", "application/zip", "sizeBytes", 2_147_483_648L))
                .post("/v1/documents/upload").then().statusCode(413)
                .body("error.code", equalTo("PAYLOAD_TOO_LARGE")).body("error.details.max_size_bytes", equalTo((int) LIMIT));
        as(org).body("{\"file_name\":\"huge.zip\",\"content_type\":\"application/zip\",\"size_bytes\":99999999999999999999999}")
                .post("/v1/documents/upload").then().statusCode(413);
        as(org).get("/v1/documents?status=pending").then().statusCode(200).body("data", hasSize(0));

        // Declared 10 bytes, sent 20: refused from Content-Length before the body is read.
        JsonPath small = announce(org, Map.of("file_name", "small.txt", "content_type", "text/plain", "size_bytes", 10));
        assertEquals("10", small.getString("headers.Content-Length"));
        assertRefused(DocumentClient.put(small.getString("upload_url"), "text/plain", new byte[20]), 413, "PAYLOAD_TOO_LARGE");
        assertEquals(200, DocumentClient.put(small.getString("upload_url"), "text/plain", new byte[10]).statusCode());

        // Nothing declared, sent chunked (no Content-Length): counted while streaming, refused past the limit, nothing kept.
        JsonPath open = announce(org, Map.of("file_name", "stream.txt", "content_type", "text/plain"));
        String url = open.getString("upload_url");
        String id = open.getString("document.id");
        try {
            HttpResponse<String> response = DocumentClient.putChunked(url, "text/plain", () -> new ByteArrayInputStream(new byte[(int) LIMIT + 100_000]));
            assertRefused(response, 413, "PAYLOAD_TOO_LARGE");
        } catch (UncheckedIOException e) {
            // The server may close the connection before the client has read the 413: also a refusal. What was kept is checked below.
        }
        as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(409).body("error.details.status", equalTo("pending"));
        assertFalse(Files.exists(Path.of("target/documents", org, id + ".part")), "no partial file is left");
        // The refused attempt did not use up the URL: a body within the limit goes through.
        byte[] fits = new byte[(int) LIMIT];
        HttpResponse<String> retried = DocumentClient.putChunked(url, "text/plain", () -> new ByteArrayInputStream(fits));
        assertEquals(200, retried.statusCode(), retried.body());
        as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(200).body("size_bytes", equalTo((int) LIMIT));
    }

    @Test
    void the_upload_path_takes_bodies_the_json_endpoints_refuse_unread() {
        // Test limits: JSON bodies 2 MiB (weft.platform.http.max-body-size), the upload path 3 MiB (max-upload-size),
        // a document 1 MiB. A 2.5 MiB upload passes the platform's check and meets the upload's own; a 2.5 MiB JSON body
        // is refused from its Content-Length before anything reads it.
        String org = Api.newOrg();
        byte[] body = new byte[2_621_440];
        HttpResponse<String> upload = DocumentClient.put(announce(org, Map.of("file_name", "big.bin", "content_type", "text/plain"))
                .getString("upload_url"), "text/plain", body);
        assertRefused(upload, 413, "PAYLOAD_TOO_LARGE");
        assertTrue(upload.body().contains("bytes this upload allows"), upload.body());
        String json = "{\"file_name\":\"" + "x".repeat(body.length) + "\",\"content_type\":\"text/plain\"}";
        as(org).body(json).post("/v1/documents/upload").then().statusCode(413)
                .body("error.message", equalTo("Request body is larger than 2097152 bytes"));
    }

    @Test
    void confirm_checks_the_declared_size_and_checksum() {
        String org = Api.newOrg();
        byte[] content = "col_a,col_b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        byte[] other = "col_a,col_b\n3,4\n".getBytes(StandardCharsets.UTF_8);
        JsonPath upload = announce(org, Map.of("file_name", "q3.csv", "content_type", "text/csv", "sha256", DocumentClient.sha256(content).toUpperCase()));
        String id = upload.getString("document.id");
        as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(409).body("error.message", containsString("nothing was uploaded"));
        assertEquals(200, DocumentClient.put(upload.getString("upload_url"), "text/csv", other).statusCode());
        try (Events events = new Events(org)) {
            as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(409)
                    .body("error.code", equalTo("CONFLICT")).body("error.details.reason", equalTo("checksum_mismatch"))
                    .body("error.details.sha256", equalTo(DocumentClient.sha256(other)));
            as(org).get("/v1/documents/" + id).then().body("status", equalTo("pending"));
            // The wrong file was removed; the same URL takes the right one.
            assertEquals(200, DocumentClient.put(upload.getString("upload_url"), "text/csv", content).statusCode());
            as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(200).body("sha256", equalTo(DocumentClient.sha256(content)));
            events.exactly("document.uploaded", id, 1);
        }
    }

    @Test
    void refuses_bad_announcements_with_the_error_shape() {
        String org = Api.newOrg();
        as(org).body(Map.of("file_name", "run.exe", "content_type", "application/x-msdownload")).post("/v1/documents/upload").then().statusCode(415)
                .body("error.code", equalTo("UNSUPPORTED_MEDIA_TYPE")).body("error.details.allowed_content_types", hasItem("application/pdf"));
        as(org).body(Map.of("content_type", "text/plain")).post("/v1/documents/upload").then().statusCode(400).body("error.details.field", equalTo("file_name"));
        as(org).body(Map.of("file_name", "../etc/passwd", "content_type", "text/plain")).post("/v1/documents/upload").then().statusCode(400)
                .body("error.details.field", equalTo("file_name"));
        as(org).body(Map.of("file_name", "a.txt", "content_type", "not a type")).post("/v1/documents/upload").then().statusCode(400)
                .body("error.details.field", equalTo("content_type"));
        as(org).body(Map.of("file_name", "a.txt", "content_type", "text/plain", "size_bytes", "ten")).post("/v1/documents/upload").then().statusCode(400)
                .body("error.details.field", equalTo("size_bytes"));
        as(org).body(Map.of("file_name", "a.txt", "content_type", "text/plain", "size_bytes", -1)).post("/v1/documents/upload").then().statusCode(400);
        as(org).body(Map.of("file_name", "a.txt", "content_type", "text/plain", "sha256", "abc")).post("/v1/documents/upload").then().statusCode(400)
                .body("error.details.field", equalTo("sha256"));
        as(org).body("{\"fileName\":\"a.txt\",\"contentType\":\"text/plain\",\"entityType\":\"account\",\"entityId\":1.5}").post("/v1/documents/upload")
                .then().statusCode(400).body("error.details.field", equalTo("entity_id"));
        as(org).body(Map.of("file_name", "a.txt", "content_type", "text/plain", "colour", "red")).post("/v1/documents/upload").then().statusCode(400)
                .body("error.details.field", equalTo("colour"));
        as(org).body("[1]").post("/v1/documents/upload").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).body("{not json").post("/v1/documents/upload").then().statusCode(400).body("error.code", equalTo("INVALID_REQUEST"));
        as(org).get("/v1/documents?status=lost").then().statusCode(400).body("error.details.field", equalTo("status"));
        as(org).get("/v1/documents?archived=maybe").then().statusCode(400).body("error.details.field", equalTo("archived"));
        as(org).get("/v1/documents?page=0").then().statusCode(400).body("error.details.field", equalTo("page"));
        as(org).get("/v1/documents/entity/Account!/1").then().statusCode(400).body("error.details.field", equalTo("entity_type"));
        as(org).get("/v1/documents/doc_nonsense").then().statusCode(404);
        as(org).post("/v1/documents/doc_01jdcb4p7q0r3s6t9v2w5x8y1z/confirm").then().statusCode(404);
        // Without the documents scopes.
        Api.as(org).get("/v1/documents").then().statusCode(403).body("error.code", equalTo("INSUFFICIENT_SCOPE"));
    }

    @Test
    void another_orgs_document_is_not_found() {
        String owner = Api.newOrg();
        String other = Api.newOrg();
        JsonPath upload = announce(owner, Map.of("file_name", "a.txt", "content_type", "text/plain", "entity_type", "deal", "entity_id", "D-7"));
        String id = upload.getString("document.id");
        assertEquals(200, DocumentClient.put(upload.getString("upload_url"), "text/plain", new byte[]{1, 2, 3}).statusCode());
        as(other).get("/v1/documents/" + id).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(other).post("/v1/documents/" + id + "/confirm").then().statusCode(404);
        as(other).get("/v1/documents/" + id + "/download").then().statusCode(404);
        as(other).post("/v1/documents/" + id + "/archive").then().statusCode(404);
        as(other).delete("/v1/documents/" + id).then().statusCode(404);
        as(other).get("/v1/documents/entity/deal/D-7").then().statusCode(200).body("data", hasSize(0));
        as(other).get("/v1/documents?archived=all").then().statusCode(200).body("data", hasSize(0));
        as(owner).post("/v1/documents/" + id + "/confirm").then().statusCode(200).body("entity_id", equalTo("D-7"));
    }

    @Test
    void archives_filters_and_pages() {
        String org = Api.newOrg();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("file_name", "f" + i + ".png", "content_type", i % 2 == 0 ? "image/png" : "text/plain"));
            ids.add(announce(org, body).getString("document.id"));
        }
        // Archive: set, then toggle back, then set again; archived documents leave the default list.
        as(org).body(Map.of("archived", true)).post("/v1/documents/" + ids.get(0) + "/archive").then().statusCode(200)
                .body("archived", equalTo(true)).body("archived_at", notNullValue());
        as(org).post("/v1/documents/" + ids.get(0) + "/archive").then().statusCode(200).body("archived", equalTo(false)).body("archived_at", nullValue());
        as(org).post("/v1/documents/" + ids.get(0) + "/archive").then().statusCode(200).body("archived", equalTo(true));
        as(org).body(Map.of("archived", "yes")).post("/v1/documents/" + ids.get(0) + "/archive").then().statusCode(400);
        as(org).get("/v1/documents").then().statusCode(200).body("data", hasSize(4));
        as(org).get("/v1/documents?archived=true").then().statusCode(200).body("data", hasSize(1)).body("data[0].id", equalTo(ids.get(0)));
        as(org).get("/v1/documents?archived=all&content_type=image/png").then().statusCode(200).body("data", hasSize(3));

        // The seed's page/limit (with the total) and cursor paging give the same newest-first order.
        JsonPath first = as(org).get("/v1/documents?archived=all&page=1&limit=2").then().statusCode(200)
                .body("pagination.page", equalTo(1)).body("pagination.total", equalTo(5)).body("pagination.has_more", equalTo(true))
                .extract().jsonPath();
        assertEquals(List.of(ids.get(4), ids.get(3)), first.getList("data.id"));
        as(org).get("/v1/documents?archived=all&page=3&limit=2").then().statusCode(200)
                .body("data.id", equalTo(List.of(ids.get(0)))).body("pagination.has_more", equalTo(false));
        Set<String> seen = new HashSet<>();
        String cursor = null;
        do {
            JsonPath page = as(org).queryParam("archived", "all").queryParam("limit", 2).queryParams(cursor == null ? Map.of() : Map.of("cursor", cursor))
                    .get("/v1/documents").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("data.id"));
            cursor = page.getString("pagination.next_cursor");
        } while (cursor != null);
        assertEquals(new HashSet<>(ids), seen);
        as(org).get("/v1/documents?page=1&cursor=abc").then().statusCode(400);
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"code\":\"" + code + "\""), response.body());
    }
}
