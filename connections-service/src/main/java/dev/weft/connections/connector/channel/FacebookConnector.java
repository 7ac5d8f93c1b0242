package dev.weft.connections.connector.channel;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code facebook} channel's credentials (providers/facebook.json); messaging-service's adapter speaks the provider's API. */
@ApplicationScoped
public class FacebookConnector extends ChannelConnector {
    @Override
    public String provider() {
        return "facebook";
    }
}
