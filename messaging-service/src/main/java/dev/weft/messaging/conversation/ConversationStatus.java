package dev.weft.messaging.conversation;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A conversation's status and the transitions allowed between them (docs/messaging.md has the table).
 * open, pending and snoozed are active; resolved is done but reopens when the contact writes again; closed is final
 * (the contact's next message starts a new conversation). Staying in the same status is always allowed.
 */
public enum ConversationStatus {
    OPEN, PENDING, SNOOZED, RESOLVED, CLOSED;

    private static final Map<ConversationStatus, Set<ConversationStatus>> NEXT = Map.of(
            OPEN, EnumSet.of(PENDING, SNOOZED, RESOLVED, CLOSED),
            PENDING, EnumSet.of(OPEN, SNOOZED, RESOLVED, CLOSED),
            SNOOZED, EnumSet.of(OPEN, PENDING, RESOLVED, CLOSED),
            RESOLVED, EnumSet.of(OPEN, CLOSED),
            CLOSED, EnumSet.noneOf(ConversationStatus.class));

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean active() {
        return this == OPEN || this == PENDING || this == SNOOZED;
    }

    public boolean canMoveTo(ConversationStatus next) {
        return next == this || NEXT.get(this).contains(next);
    }

    /** The transitions from this status, for error messages and the docs. */
    public Set<ConversationStatus> next() {
        return NEXT.get(this);
    }

    public static ConversationStatus of(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }

    /** The status named by a client, or a 400 naming {@code field}. */
    public static ConversationStatus parse(String value, String field) {
        if (value != null) {
            for (ConversationStatus status : values()) {
                if (status.wire().equals(value.strip().toLowerCase(Locale.ROOT))) {
                    return status;
                }
            }
        }
        throw ApiException.invalid(field, "one_of", field + " must be one of open, pending, snoozed, resolved, closed");
    }

    /** 409 INVALID_STATUS_TRANSITION unless {@code from -> to} is in the table. */
    public static void check(ConversationStatus from, ConversationStatus to) {
        if (!from.canMoveTo(to)) {
            String allowed = from.next().isEmpty() ? "none: closed is final" : String.join(", ", from.next().stream().map(ConversationStatus::wire).toList());
            throw new ApiException(ErrorCode.INVALID_STATUS_TRANSITION, "a conversation cannot move from " + from.wire() + " to " + to.wire()
                    + " (from " + from.wire() + ": " + allowed + ")", Map.of("from", from.wire(), "to", to.wire()));
        }
    }
}
