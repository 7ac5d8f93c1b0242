package dev.weft.webhook.delivery;

import dev.weft.platform.http.AddressPolicy;
import dev.weft.webhook.WebhooksConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import java.util.List;

/** The address policy and the one HTTP sender of this service, from {@code weft.webhooks.*}. */
@ApplicationScoped
public class SenderProducer {

    @Produces
    @ApplicationScoped
    AddressPolicy addressPolicy(WebhooksConfig config) {
        return AddressPolicy.of(config.allowedCidrs().orElse(List.of()), config.allowHttp());
    }

    @Produces
    @ApplicationScoped
    WebhookSender sender(Vertx vertx, AddressPolicy policy) {
        return new WebhookSender(vertx, policy, SendOptions.defaults().withUserAgent("Weft-Webhooks/1"));
    }

    void close(@Disposes WebhookSender sender) {
        sender.close();
    }
}
