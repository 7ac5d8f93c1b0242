package dev.weft.messaging.document;

import dev.weft.testing.TestCredentials;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The documents API as a client uses it: REST Assured for /v1/documents, and a plain java.net.http client for the
 * presigned URLs (what a browser or curl would do with upload_url and download_url, no Weft credential).
 */
final class DocumentClient {
    static final String[] SCOPES = {"documents:read", "documents:write"};
    /** %test.weft.messaging.documents.url-secret: lets a test sign a URL the service never gave, e.g. one already expired. */
    static final String TEST_URL_SECRET = "test-document-url-secret";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private DocumentClient() {
    }

    static RequestSpecification as(String org) {
        return RestAssured.given().header("Authorization", TestCredentials.bearerOnPlan(org, "enterprise", SCOPES)).contentType(ContentType.JSON);
    }

    /** POST /v1/documents/upload → 201; the whole answer. */
    static JsonPath announce(String org, Map<String, ?> body) {
        return as(org).body(body).post("/v1/documents/upload").then().statusCode(201).extract().jsonPath();
    }

    static HttpResponse<String> put(String url, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** A PUT with the headers upload_url came with (Content-Length aside: the client derives it from the body). */
    static HttpResponse<String> putWith(String url, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
                request.header(name, value);
            }
        });
        return send(request);
    }

    /** A PUT whose body has no Content-Length (chunked): the limit can only be enforced while it streams. */
    static HttpResponse<String> putChunked(String url, String contentType, Supplier<InputStream> body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofInputStream(body)));
    }

    static HttpResponse<byte[]> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signature as docs/engagement.md describes it: HMAC-SHA256 over method, org, document id, object key, expiry, max. */
    static String sign(String method, String org, String documentId, long expires, long max) {
        String content = String.join("\n", method, org, documentId, org + "/" + documentId, Long.toString(expires), Long.toString(max));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TEST_URL_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL with one query parameter replaced. */
    static String withParam(String url, String name, String value) {
        return url.replaceAll("([?&]" + name + "=)[^&]*", "$1" + java.util.regex.Matcher.quoteReplacement(value));
    }
}
