package dev.weft.platform.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Signs and verifies requests the Standard Webhooks way (webhook deliveries, calls to extensions): {@code webhook-id},
 * {@code webhook-timestamp} (epoch seconds) and {@code webhook-signature: v1,<base64 HMAC-SHA256>}
 * over {@code id + "." + timestamp + "." + body}, keyed with the bytes of a {@code whsec_<base64>}
 * secret. Verification accepts timestamps within five minutes either way, so a captured request
 * cannot be replayed later.
 */
public final class StandardWebhooks {
    public static final String SECRET_PREFIX = "whsec_";
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Keyed once; each signature works on a clone (a Mac is not thread-safe, and looking one up per call is slow). */
    private final Mac keyed;

    /** @param secret {@code whsec_} followed by the base64 key (the prefix may be left out) */
    public StandardWebhooks(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("webhook secret is empty");
        }
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            // Never echo the secret: only say what shape it should have.
            throw new IllegalArgumentException("secret must be whsec_ followed by base64");
        }
        if (bytes.length < 16) {
            throw new IllegalArgumentException("secret must hold at least 16 key bytes");
        }
        try {
            this.keyed = Mac.getInstance("HmacSHA256");
            keyed.init(new SecretKeySpec(bytes, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A fresh secret: {@code whsec_} + 32 random bytes in base64. */
    public static String generateSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** The three headers of a request carrying {@code body}, sent now with a new id. */
    public Signature sign(String body) {
        return sign("msg_" + UUID.randomUUID().toString().replace("-", ""), Instant.now().getEpochSecond(), body);
    }

    public Signature sign(String id, long timestamp, String body) {
        return sign(id, timestamp, body.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #sign(String, long, String)}, for a body already encoded (a sender signs the bytes it sends, once). */
    public Signature sign(String id, long timestamp, byte[] body) {
        Mac mac = mac();
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return new Signature(id, timestamp, "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
    }

    /**
     * True when one of the header's space-separated {@code v1,} signatures matches and the
     * timestamp is within {@link #TOLERANCE} of {@code now}.
     */
    public boolean verify(String id, String timestamp, String signatureHeader, String body, Instant now) {
        if (id == null || timestamp == null || signatureHeader == null || body == null) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > TOLERANCE.toSeconds()) {
            return false;
        }
        byte[] expected = hmac(id + "." + seconds + "." + body);
        for (String candidate : signatureHeader.strip().split("\\s+")) {
            if (!candidate.startsWith("v1,")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return true;
            }
        }
        return false;
    }

    /** Hex HMAC-SHA256 of the body alone: the seeds' simpler {@code X-Weft-Signature} (no timestamp, so replayable). */
    public String hexSignature(String body) {
        return hexSignature(body.getBytes(StandardCharsets.UTF_8));
    }

    public String hexSignature(byte[] body) {
        return java.util.HexFormat.of().formatHex(mac().doFinal(body));
    }

    private byte[] hmac(String content) {
        return mac().doFinal(content.getBytes(StandardCharsets.UTF_8));
    }

    /** The keyed HMAC, cloned: keying once per secret is the expensive part. */
    private Mac mac() {
        try {
            return (Mac) keyed.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
    }

    /** The header values of one signed request. */
    public record Signature(String id, long timestamp, String signature) {
    }
}
