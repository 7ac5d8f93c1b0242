package dev.weft.webhook.endpoint;

import dev.weft.platform.http.AddressPolicy;
import dev.weft.platform.http.OutboundUrls;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;

/**
 * The registration-time check of an endpoint URL, under this service's {@link AddressPolicy}. A host that does not
 * resolve yet (DNS still being set up) is accepted: the sender checks the address it connects to on every delivery.
 */
@ApplicationScoped
public class EndpointUrls {
    private final AddressPolicy policy;

    public EndpointUrls(AddressPolicy policy) {
        this.policy = policy;
    }

    public URI check(String url, String field) {
        return OutboundUrls.check(url, field, policy, OutboundUrls.Unresolvable.ACCEPTED);
    }
}
