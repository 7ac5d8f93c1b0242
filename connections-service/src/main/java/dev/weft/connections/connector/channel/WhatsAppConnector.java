package dev.weft.connections.connector.channel;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code whatsapp} channel's credentials (providers/whatsapp.json); messaging-service's adapter speaks the provider's API. */
@ApplicationScoped
public class WhatsAppConnector extends ChannelConnector {
    @Override
    public String provider() {
        return "whatsapp";
    }
}
