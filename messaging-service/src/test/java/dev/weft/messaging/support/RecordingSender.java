package dev.weft.messaging.support;

import dev.weft.messaging.message.ChannelSender;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the Telegram adapter (built later, against the Bot API's stub) to test what MessageService does with
 * each outcome a sender can report: records what it is asked to send and answers with the outcomes a test queued
 * (sent with a fresh id by default). An enabled alternative, so it replaces a real Telegram sender in these tests.
 */
@Alternative
@Priority(1)
@io.quarkus.arc.Unremovable
@ApplicationScoped
public class RecordingSender implements ChannelSender {
    private final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();
    private final Deque<SendOutcome> outcomes = new ArrayDeque<>();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public String channel() {
        return "telegram";
    }

    @Override
    public synchronized SendOutcome send(OutboundMessage message) {
        sent.add(message);
        SendOutcome next = outcomes.pollFirst();
        return next != null ? next : SendOutcome.sent("tg-" + ids.incrementAndGet());
    }

    /** What it was asked to send (a method: the test holds a client proxy, whose fields are not the bean's). */
    public List<OutboundMessage> sent() {
        return sent;
    }

    public synchronized void answer(SendOutcome outcome) {
        outcomes.addLast(outcome);
    }
}
