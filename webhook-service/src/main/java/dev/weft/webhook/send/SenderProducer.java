package dev.weft.webhook.send;

import dev.weft.platform.http.AddressPolicy;
import dev.weft.platform.http.outbound.OutboundClient;
import dev.weft.platform.http.outbound.OutboundOptions;
import dev.weft.webhook.WebhooksConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import java.util.List;

/**
 * The transport of webhook sends: the platform's address-guarded {@link OutboundClient} (SSRF
 * checks at connect time, no redirects) under this service's address policy from
 * {@code weft.webhooks.*}.
 */
@ApplicationScoped
public class SenderProducer {

    @Produces
    @ApplicationScoped
    AddressPolicy addressPolicy(WebhooksConfig config) {
        return AddressPolicy.of(config.allowedCidrs().orElse(List.of()), config.allowHttp());
    }

    @Produces
    @ApplicationScoped
    OutboundClient sender(Vertx vertx, AddressPolicy policy) {
        return new OutboundClient(vertx, policy, OutboundOptions.defaults().withUserAgent("Weft-Webhooks/1"));
    }

    void close(@Disposes OutboundClient sender) {
        sender.close();
    }
}
