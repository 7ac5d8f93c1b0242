package dev.weft.connections.connector.channel;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code instagram} channel's credentials (providers/instagram.json); messaging-service's adapter speaks the provider's API. */
@ApplicationScoped
public class InstagramConnector extends ChannelConnector {
    @Override
    public String provider() {
        return "instagram";
    }
}
