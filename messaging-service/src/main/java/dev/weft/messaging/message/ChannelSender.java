package dev.weft.messaging.message;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Sends an outbound message on one channel (one implementation per provider, found through CDI; adding a provider
 * touches no other file). Called outside any transaction, after the message is stored as {@code queued}; the outcome
 * is written back by {@link MessageService}. An implementation never throws for a provider's answer: it says
 * {@link SendOutcome#failed} (the provider refused the message for good) or {@link SendOutcome#retry} (try again later).
 */
public interface ChannelSender {

    /** The channel this sender serves: whatsapp, instagram, facebook, telegram or email. */
    String channel();

    SendOutcome send(OutboundMessage message);

    /** Whether this channel can send messages of this type ({@link MessageService#TYPES}): a reply of another is refused up front. */
    default boolean sends(String type) {
        return true;
    }

    /**
     * Checks a reply this channel sends against the channel's own limits ({@link RichContent}'s shape is checked
     * before): a 400 when it is accepted, rather than a message the provider refuses later.
     */
    default void check(String type, JsonNode metadata) {
    }

    /** What to send, and to whom ({@code to}: the contact's address on the channel). */
    record OutboundMessage(String orgId, String messageId, String conversationId, String contactId, String channel, String inbox, String to,
                           String type, String content, JsonNode template, JsonNode metadata) {
    }

    /** SENT with the provider's message id, FAILED for good, or RETRY (a transient failure: the message stays queued). */
    record SendOutcome(Result result, String platformMessageId, String errorCode, String errorMessage) {
        public enum Result { SENT, FAILED, RETRY }

        public static SendOutcome sent(String platformMessageId) {
            return new SendOutcome(Result.SENT, platformMessageId, null, null);
        }

        public static SendOutcome failed(String code, String message) {
            return new SendOutcome(Result.FAILED, null, code, message);
        }

        public static SendOutcome retry(String code, String message) {
            return new SendOutcome(Result.RETRY, null, code, message);
        }
    }
}
