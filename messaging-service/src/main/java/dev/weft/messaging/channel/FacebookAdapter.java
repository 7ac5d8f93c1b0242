package dev.weft.messaging.channel;

import dev.weft.messaging.MessagingConfig;
import jakarta.inject.Singleton;

/** Facebook through the Messenger Send API (see {@link MessengerAdapter}). */
@io.quarkus.arc.Unremovable
@Singleton
public class FacebookAdapter extends MessengerAdapter {
    private final ChannelsConfig config;

    public FacebookAdapter(ChannelAccounts accounts, ProviderHttp http, MessagingConfig messaging) {
        super(accounts, http);
        this.config = messaging.channels();
    }

    @Override
    public String channel() {
        return "facebook";
    }

    @Override
    ChannelsConfig.Provider provider() {
        return config.facebook();
    }
}
