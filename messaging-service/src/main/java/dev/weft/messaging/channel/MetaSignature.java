package dev.weft.messaging.channel;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Meta's webhook signature: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>}. */
public final class MetaSignature {
    public static final String HEADER = "X-Hub-Signature-256";

    private MetaSignature() {
    }

    public static boolean valid(String appSecret, String header, byte[] rawBody) {
        if (appSecret == null || appSecret.isEmpty() || header == null || !header.startsWith("sha256=")) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(header.substring("sha256=".length()).trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(hmac(appSecret, rawBody), presented);
    }

    public static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two secrets in constant time (as digests, so neither content nor length leaks). */
    public static boolean sameSecret(String expected, String presented) {
        if (expected == null || expected.isEmpty() || presented == null) {
            return false;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] a = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
            byte[] b = MessageDigest.getInstance("SHA-256").digest(presented.getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(a, b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
