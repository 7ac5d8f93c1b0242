package dev.weft.platform.pagination;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque, tamper-proof cursors: the keyset position plus an HMAC over it. A cursor that was
 * altered, truncated or made up is a 400, never a silent jump to another position.
 */
@ApplicationScoped
public class CursorCodec {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MAC_BYTES = 16;
    private final SecretKeySpec key;

    public CursorCodec(PlatformConfig config) {
        this.key = new SecretKeySpec(config.pagination().cursorSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String encode(Cursor cursor) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, cursor.createdAt());
        byte[] payload = (micros + ":" + cursor.id()).getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
    }

    public Cursor decode(String token) {
        try {
            int dot = token.indexOf('.');
            if (dot <= 0) {
                throw invalid();
            }
            byte[] payload = DECODER.decode(token.substring(0, dot));
            byte[] mac = DECODER.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac, mac(payload))) {
                throw invalid();
            }
            String[] parts = new String(payload, StandardCharsets.UTF_8).split(":", 2);
            return new Cursor(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS), UUID.fromString(parts[1]));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw invalid();
        }
    }

    /**
     * Seals a cursor someone else made (e.g. a connector's page position) so that a client can hand
     * it back but not alter it or move it to another {@code scope} (say, another connection).
     */
    public String seal(String scope, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(bytes) + "." + ENCODER.encodeToString(mac(scoped(scope, bytes)));
    }

    /** The payload of a {@link #seal sealed} cursor, or a 400 when it was altered or sealed for another scope. */
    public String open(String scope, String token) {
        try {
            int dot = token.indexOf('.');
            if (dot <= 0) {
                throw invalid();
            }
            byte[] payload = DECODER.decode(token.substring(0, dot));
            if (!MessageDigest.isEqual(DECODER.decode(token.substring(dot + 1)), mac(scoped(scope, payload)))) {
                throw invalid();
            }
            return new String(payload, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    private static byte[] scoped(String scope, byte[] payload) {
        byte[] prefix = ("scope:" + scope + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(prefix, prefix.length + payload.length);
        System.arraycopy(payload, 0, joined, prefix.length, payload.length);
        return joined;
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Arrays.copyOf(mac.doFinal(payload), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException invalid() {
        return ApiException.invalid("cursor", "valid_cursor", "cursor is not a cursor this API returned");
    }
}
