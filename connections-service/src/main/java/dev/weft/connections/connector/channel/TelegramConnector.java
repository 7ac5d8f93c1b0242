package dev.weft.connections.connector.channel;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code telegram} channel's credentials (providers/telegram.json); messaging-service's adapter speaks the provider's API. */
@ApplicationScoped
public class TelegramConnector extends ChannelConnector {
    @Override
    public String provider() {
        return "telegram";
    }
}
