package dev.weft.messaging.channel;

import dev.weft.messaging.MessagingConfig;
import jakarta.inject.Singleton;

/** Instagram through the Messenger Send API (see {@link MessengerAdapter}). */
@io.quarkus.arc.Unremovable
@Singleton
public class InstagramAdapter extends MessengerAdapter {
    private final ChannelsConfig config;

    public InstagramAdapter(ChannelAccounts accounts, ProviderHttp http, MessagingConfig messaging) {
        super(accounts, http);
        this.config = messaging.channels();
    }

    @Override
    public String channel() {
        return "instagram";
    }

    @Override
    ChannelsConfig.Provider provider() {
        return config.instagram();
    }
}
