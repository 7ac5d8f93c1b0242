package dev.weft.messaging.channel;

import jakarta.enterprise.context.ApplicationScoped;

/** Instagram through the Messenger Send API (see {@link MessengerAdapter}). */
@ApplicationScoped
public class InstagramAdapter extends MessengerAdapter {
    private final ChannelsConfig config;

    public InstagramAdapter(ChannelAccounts accounts, ProviderHttp http, ChannelsConfig config) {
        super(accounts, http);
        this.config = config;
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
