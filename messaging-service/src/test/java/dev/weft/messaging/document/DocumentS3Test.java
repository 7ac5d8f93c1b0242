package dev.weft.messaging.document;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.support.Api;
import dev.weft.messaging.support.Events;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.weft.messaging.document.DocumentClient.announce;
import static dev.weft.messaging.document.DocumentClient.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The S3 document store (weft.messaging.documents.store=s3) against S3Proxy in the test JVM: the AWS SDK presigner's
 * PUT and GET URLs used by a plain HTTP client, HeadObject at confirm, the object deleted with the document.
 */
@QuarkusTest
@TestProfile(DocumentS3Test.S3Store.class)
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class DocumentS3Test {
    public static class S3Store implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ProxyResource.class));
        }
    }

    @Test
    void round_trips_through_presigned_s3_urls() {
        String org = Api.newOrg();
        byte[] content = "%PDF-1.7 stored in S3\n".repeat(200).getBytes(StandardCharsets.UTF_8);
        as(org).get("/v1/documents/config").then().statusCode(200).body("store", equalTo("s3")).body("configured", equalTo(true));
        try (Events events = new Events(org)) {
            JsonPath upload = announce(org, Map.of("fileName", "contract.pdf", "contentType", "application/pdf", "entityType", "account", "entityId", 1,
                    "sizeBytes", content.length, "sha256", DocumentClient.sha256(content)));
            String id = upload.getString("document.id");
            String url = upload.getString("upload_url");
            assertTrue(url.startsWith(S3ProxyResource.endpoint + "/" + S3ProxyResource.BUCKET + "/" + org + "/" + id), url);
            assertTrue(url.contains("X-Amz-Signature="), url);
            assertEquals("application/pdf", upload.getString("headers.Content-Type"));
            as(org).get("/v1/documents/" + id).then().body("store", equalTo("s3")).body("entity_id", equalTo(1));

            // S3 checks what the presigner signed: another content type, or a changed key, is refused by S3 itself.
            Map<String, String> wrongType = new java.util.HashMap<>(upload.getMap("headers"));
            wrongType.put("Content-Type", "text/plain");
            assertEquals(403, DocumentClient.putWith(url, wrongType, content).statusCode());
            assertEquals(403, DocumentClient.putWith(url.replace(id, id.substring(0, id.length() - 1) + (id.endsWith("x") ? "y" : "x")), upload.getMap("headers"), content).statusCode());
            as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(409).body("error.code", equalTo("CONFLICT"));
            events.exactly("document.uploaded", id, 0);

            // If-None-Match: * is signed (S3 conditional writes refuse a second PUT with 412): a client cannot drop it.
            // S3Proxy 2.6.0 does not implement conditional writes, so the 412 itself is not shown here.
            Map<String, String> unconditional = new java.util.HashMap<>(upload.getMap("headers"));
            assertEquals("*", unconditional.remove("If-None-Match"), "signed headers: " + upload.getMap("headers"));
            assertEquals(403, DocumentClient.putWith(url, unconditional, content).statusCode());

            HttpResponse<String> put = DocumentClient.putWith(url, upload.getMap("headers"), content);
            assertEquals(200, put.statusCode(), put.body());
            as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(200)
                    .body("status", equalTo("uploaded")).body("size_bytes", equalTo(content.length)).body("sha256", equalTo(DocumentClient.sha256(content)));
            JsonNode event = events.exactly("document.uploaded", id, 1).get(0);
            assertEquals("1", event.path("entity_id").asText());

            String download = as(org).get("/v1/documents/" + id + "/download").then().statusCode(200)
                    .body("download_url", startsWith(S3ProxyResource.endpoint.toString())).extract().path("download_url");
            HttpResponse<byte[]> got = DocumentClient.get(download);
            assertEquals(200, got.statusCode());
            assertArrayEquals(content, got.body());
            String tampered = download.replaceAll("X-Amz-Signature=([0-9a-f])", "X-Amz-Signature=" + (download.contains("X-Amz-Signature=0") ? "1" : "0"));
            assertNotEquals(download, tampered);
            assertEquals(403, DocumentClient.get(tampered).statusCode());

            as(org).delete("/v1/documents/" + id).then().statusCode(204);
            assertFalse(S3ProxyResource.exists(org + "/" + id), "the object is deleted with the document");
        }
    }

    @Test
    void confirm_refuses_an_object_of_another_size_than_declared() {
        String org = Api.newOrg();
        JsonPath upload = announce(org, Map.of("file_name", "a.txt", "content_type", "text/plain"));
        String id = upload.getString("document.id");
        // Nothing declared: S3 takes any size; a declared size would have been signed as Content-Length.
        assertEquals(200, DocumentClient.putWith(upload.getString("upload_url"), upload.getMap("headers"), "hello".getBytes(StandardCharsets.UTF_8)).statusCode());
        as(org).post("/v1/documents/" + id + "/confirm").then().statusCode(200).body("size_bytes", equalTo(5));

        JsonPath declared = announce(org, Map.of("file_name", "b.txt", "content_type", "text/plain", "size_bytes", 5));
        assertEquals("5", declared.getString("headers.Content-Length"));
        Map<String, String> headers = new java.util.HashMap<>(declared.getMap("headers"));
        headers.remove("Content-Length"); // java.net.http sets it from the body (11 bytes, not the signed 5)
        assertNotEquals(200, DocumentClient.putWith(declared.getString("upload_url"), headers, "hello world".getBytes(StandardCharsets.UTF_8)).statusCode());
        as(org).post("/v1/documents/" + declared.getString("document.id") + "/confirm").then().statusCode(409);
    }
}
