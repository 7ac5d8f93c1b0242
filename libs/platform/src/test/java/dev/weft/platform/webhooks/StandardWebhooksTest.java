package dev.weft.platform.webhooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardWebhooksTest {
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private final StandardWebhooks signer = new StandardWebhooks(SECRET);
    private final String body = "{\"object\":\"items\",\"limit\":10}";

    @Test
    void a_signed_request_verifies() {
        StandardWebhooks.Signature signature = signer.sign(body);

        assertTrue(signature.signature().startsWith("v1,"));
        assertTrue(signer.verify(signature.id(), String.valueOf(signature.timestamp()), signature.signature(), body, Instant.now()));
    }

    @Test
    void matches_the_standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks specification (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
        StandardWebhooks reference = new StandardWebhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        String payload = "{\"test\": 2432232314}";

        StandardWebhooks.Signature signature = reference.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, payload);

        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature.signature());
    }

    @Test
    void a_tampered_body_id_or_timestamp_is_rejected() {
        long now = Instant.now().getEpochSecond();
        StandardWebhooks.Signature signature = signer.sign("msg_1", now, body);

        assertFalse(signer.verify("msg_1", String.valueOf(now), signature.signature(), body.replace("10", "11"), Instant.now()));
        assertFalse(signer.verify("msg_2", String.valueOf(now), signature.signature(), body, Instant.now()));
        assertFalse(signer.verify("msg_1", String.valueOf(now - 1), signature.signature(), body, Instant.now()));
        assertFalse(signer.verify("msg_1", String.valueOf(now), "v1," + Base64.getEncoder().encodeToString(new byte[32]), body, Instant.now()));
        assertFalse(signer.verify("msg_1", String.valueOf(now), null, body, Instant.now()));
    }

    @Test
    void another_secret_does_not_verify() {
        StandardWebhooks.Signature signature = new StandardWebhooks(StandardWebhooks.generateSecret()).sign(body);

        assertFalse(signer.verify(signature.id(), String.valueOf(signature.timestamp()), signature.signature(), body, Instant.now()));
    }

    @Test
    void timestamps_older_or_newer_than_five_minutes_are_rejected() {
        Instant now = Instant.now();
        StandardWebhooks.Signature old = signer.sign("msg_1", now.minusSeconds(301).getEpochSecond(), body);
        StandardWebhooks.Signature future = signer.sign("msg_1", now.plusSeconds(301).getEpochSecond(), body);
        StandardWebhooks.Signature recent = signer.sign("msg_1", now.minusSeconds(299).getEpochSecond(), body);

        assertFalse(signer.verify(old.id(), String.valueOf(old.timestamp()), old.signature(), body, now));
        assertFalse(signer.verify(future.id(), String.valueOf(future.timestamp()), future.signature(), body, now));
        assertTrue(signer.verify(recent.id(), String.valueOf(recent.timestamp()), recent.signature(), body, now));
        assertFalse(signer.verify("msg_1", "yesterday", recent.signature(), body, now));
    }

    @Test
    void any_of_several_signatures_may_match_during_secret_rotation() {
        StandardWebhooks.Signature current = signer.sign(body);
        String header = "v1," + Base64.getEncoder().encodeToString(new byte[32]) + " " + current.signature();

        assertTrue(signer.verify(current.id(), String.valueOf(current.timestamp()), header, body, Instant.now()));
    }

    @Test
    void secrets_must_be_base64_with_enough_key_bytes_and_are_not_echoed() {
        IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class, () -> new StandardWebhooks("whsec_not base64!!"));
        assertThrows(IllegalArgumentException.class, () -> new StandardWebhooks("whsec_c2hvcnQ="));

        assertFalse(notBase64.getMessage().contains("not base64!!"));
        assertTrue(StandardWebhooks.generateSecret().startsWith("whsec_"));
    }
}
