package dev.weft.webhook.delivery;

import dev.weft.platform.http.AddressPolicy;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The registration-time check of an endpoint URL: https (http only where the operator allows it),
 * no credentials in it, and a host whose every address (when it resolves) the {@link AddressPolicy}
 * permits. The sender checks the address again when it connects, since DNS can change in between.
 */
@ApplicationScoped
public class EndpointUrls {
    private final AddressPolicy policy;

    public EndpointUrls(AddressPolicy policy) {
        this.policy = policy;
    }

    public URI check(String url, String field) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw ApiException.invalid(field, "url", field + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw ApiException.invalid(field, "url", field + " must be an absolute https URL");
        }
        if (scheme.equals("http") && !policy.plainHttpAllowed()) {
            throw ApiException.invalid(field, "https", field + " must use https");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid(field, "url", field + " must not carry credentials");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            // Not resolvable yet (DNS still being set up) is allowed: each delivery checks the address it connects to.
            return uri;
        }
        for (InetAddress address : addresses) {
            if (!policy.permits(address)) {
                throw ApiException.invalid(field, "public_address",
                        field + " resolves to a private, loopback, link-local or otherwise non-public address");
            }
        }
        return uri;
    }
}
