package dev.weft.messaging.message;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;

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

    /**
     * Every sender bean, read from the BeanManager: an Instance would apply CDI's ambiguity rule, under which one
     * enabled alternative (a test's recording sender for one channel) hides the senders of every other channel.
     */
    public ChannelSenders(BeanManager beans) {
        Map<String, Boolean> alternative = new HashMap<>();
        for (Bean<?> bean : beans.getBeans(ChannelSender.class, Any.Literal.INSTANCE)) {
            ChannelSender sender = (ChannelSender) beans.getReference(bean, ChannelSender.class, beans.createCreationalContext(bean));
            boolean isAlternative = bean.isAlternative();
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
