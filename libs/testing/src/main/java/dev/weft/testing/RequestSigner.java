package dev.weft.testing;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Signs a request as DESIGN.md's WEFT-HMAC scheme says: HMAC-SHA256 over
 * {@code timestamp \n METHOD \n path-and-query \n hex(sha256(body))}.
 */
public final class RequestSigner {
    private RequestSigner() {
    }

    public static String authorization(String keyId, String secret, long epochSeconds, String method, String pathAndQuery, String body) {
        try {
            String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((body == null ? "" : body).getBytes(StandardCharsets.UTF_8)));
            String canonical = epochSeconds + "\n" + method.toUpperCase() + "\n" + pathAndQuery + "\n" + bodyHash;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
            return "WEFT-HMAC key_id=\"" + keyId + "\", timestamp=\"" + epochSeconds + "\", signature=\"sha256=" + signature + "\"";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
