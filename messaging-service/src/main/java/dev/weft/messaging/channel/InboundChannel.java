package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads one provider's webhooks (the inbound half of an adapter): proves a delivery came from the provider, and
 * turns its body into messages and status updates. Implementations are CDI beans, one per channel.
 */
public interface InboundChannel {

    String channel();

    /** Meta's subscription check (GET with hub.mode=subscribe and the verify token); false where the provider has none. */
    default boolean verifiesSubscription(ChannelAccounts.Account account, String mode, String token) {
        return false;
    }

    /** Whether the delivery is the provider's: its signature or secret header checked against the raw body, in constant time. */
    boolean authentic(ChannelAccounts.Account account, Function<String, String> headers, byte[] rawBody);

    /** The messages and receipts in a delivery (parsed JSON); what it does not understand is skipped. */
    List<InboundEvent> parse(JsonNode body);

    /**
     * Fields the provider reads in the delivery's 200, beside Weft's counts; answered only once the delivery is stored.
     * Telegram runs a Bot API method named in a webhook's answer (its {@code method} field).
     */
    default Map<String, Object> answer(List<InboundEvent> events) {
        return Map.of();
    }

    /** What a delivery carries. */
    sealed interface InboundEvent permits InboundMessage, StatusUpdate, Watermark {
    }

    /**
     * A message from a contact ({@code from}: their address on the channel); {@code editedAt}, when the contact edited
     * it (the provider's time of the edit), else null.
     */
    record InboundMessage(String from, String name, String platformMessageId, String type, String content, JsonNode metadata,
                          java.time.Instant editedAt) implements InboundEvent {
        public InboundMessage(String from, String name, String platformMessageId, String type, String content, JsonNode metadata) {
            this(from, name, platformMessageId, type, content, metadata, null);
        }
    }

    /**
     * A receipt by watermark (Messenger's {@code delivery.watermark}, {@code read.watermark}): every message we sent to
     * {@code from} on the channel up to {@code upTo} has reached {@code status} (delivered or read).
     */
    record Watermark(String from, String status, java.time.Instant upTo) implements InboundEvent {
    }

    /** A receipt for one of our messages: sent, delivered, read or failed. */
    record StatusUpdate(String platformMessageId, String status, String errorCode, String errorMessage) implements InboundEvent {
    }
}
