package dev.weft.messaging.message;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The {@link ChannelSender} of each channel, from CDI; two for one channel is a startup error. */
@ApplicationScoped
public class ChannelSenders {
    private final Map<String, ChannelSender> byChannel = new HashMap<>();

    public ChannelSenders(@Any Instance<ChannelSender> senders) {
        for (ChannelSender sender : senders) {
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
