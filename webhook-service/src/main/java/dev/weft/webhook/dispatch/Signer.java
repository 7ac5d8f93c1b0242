package dev.weft.webhook.dispatch;

import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.webhooks.StandardWebhooks;
import dev.weft.webhook.endpoint.Endpoint;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A delivery's headers: the endpoint's custom ones, then Standard Webhooks' {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature} (two {@code v1,} signatures while a
 * rotated secret's overlap lasts), and {@code X-Weft-Signature} for the seeds' simpler check.
 * Secrets are decrypted once per endpoint and secret (the endpoint's state keeps the keyed HMAC).
 */
@ApplicationScoped
public class Signer {
    private final SecretCipher cipher;

    public Signer(SecretCipher cipher) {
        this.cipher = cipher;
    }

    Map<String, String> headers(Deliverable delivery, EndpointState state, Map<String, String> custom) {
        Map<String, String> headers = new LinkedHashMap<>(custom);
        long timestamp = Instant.now().getEpochSecond();
        StandardWebhooks current = state.signer(delivery.secret(), () -> cipher.decrypt(delivery.secret(), Endpoint.secretAad(delivery.endpointId())));
        String signatures = current.sign(delivery.eventId(), timestamp, delivery.body()).signature();
        if (delivery.previousSecret() != null && delivery.previousSecretExpiresAt() != null && delivery.previousSecretExpiresAt().isAfter(Instant.now())) {
            StandardWebhooks previous = state.signer(delivery.previousSecret(),
                    () -> cipher.decrypt(delivery.previousSecret(), Endpoint.secretAad(delivery.endpointId())));
            signatures = signatures + " " + previous.sign(delivery.eventId(), timestamp, delivery.body()).signature();
        }
        headers.put("Content-Type", "application/json");
        headers.put(StandardWebhooks.ID_HEADER, delivery.eventId());
        headers.put(StandardWebhooks.TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(StandardWebhooks.SIGNATURE_HEADER, signatures);
        headers.put("X-Weft-Signature", current.hexSignature(delivery.body()));
        headers.put("X-Weft-Event-Type", delivery.eventType());
        return headers;
    }
}
