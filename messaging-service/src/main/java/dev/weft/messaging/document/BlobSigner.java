package dev.weft.messaging.document;

import dev.weft.messaging.MessagingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * HMAC-SHA256 signatures of the filesystem store's URLs. The signature covers the HTTP method, the org, the document
 * id, its object key, the expiry and (uploads) the largest body allowed, so a URL changed in any of these, used with
 * another method, or pointed at another document fails verification.
 */
@ApplicationScoped
public class BlobSigner {
    private final SecretKeySpec key;

    public BlobSigner(MessagingConfig config) {
        this.key = new SecretKeySpec(config.documents().urlSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String sign(String method, Document document, long expiresEpochSecond, long max) {
        String content = String.join("\n", method, document.orgId, document.documentId(), document.objectKey,
                Long.toString(expiresEpochSecond), Long.toString(max));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time comparison of a presented signature with the expected one. */
    public boolean verify(String method, Document document, long expiresEpochSecond, long max, String presented) {
        if (presented == null) {
            return false;
        }
        byte[] expected = sign(method, document, expiresEpochSecond, max).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII));
    }
}
