package dev.weft.messaging.message;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ChannelSender} of each channel, from CDI; two for one channel is a startup error, unless one of them is an
 * enabled alternative, which then replaces the other (an operator's own adapter, a test's recording one).
 */
@ApplicationScoped
public class ChannelSenders {
    private final Map<String, ChannelSender> byChannel = new HashMap<>();

    public ChannelSenders(@Any Instance<ChannelSender> senders) {
        Map<String, Boolean> alternative = new HashMap<>();
        for (Instance.Handle<ChannelSender> handle : senders.handles()) {
            ChannelSender sender = handle.get();
            boolean isAlternative = handle.getBean().isAlternative();
            Boolean previousAlternative = alternative.get(sender.channel());
            if (previousAlternative != null && previousAlternative != isAlternative) {
                if (isAlternative) {
                    byChannel.put(sender.channel(), sender);
                    alternative.put(sender.channel(), true);
                }
                continue;
            }
            alternative.put(sender.channel(), isAlternative);
            ChannelSender previous = byChannel.put(sender.channel(), sender);
            if (previous != null) {
                throw new IllegalStateException("two channel senders for " + sender.channel() + ": " + previous.getClass().getName()
                        + " and " + sender.getClass().getName());
            }
        }
    }

    public Optional<ChannelSender> forChannel(String channel) {
        return Optional.ofNullable(byChannel.get(channel));
    }
}
