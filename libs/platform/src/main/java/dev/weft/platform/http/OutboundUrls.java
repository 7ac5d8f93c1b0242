package dev.weft.platform.http;

import dev.weft.platform.error.ApiException;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The rule for the URLs of extensions, which Weft calls on a customer's behalf: HTTPS,
 * and a host that resolves only to public addresses, so an API caller cannot aim Weft at its own
 * network (loopback, private, link-local, the cloud metadata address). Operators may allow
 * {@code http} and private hosts for local runs and tests. Checked when the URL is registered and
 * again before each call (DNS can change).
 */
public final class OutboundUrls {
    private OutboundUrls() {
    }

    public static URI requireAllowed(String url, boolean allowInsecure, String field) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw ApiException.invalid(field, "url", field + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw ApiException.invalid(field, "url", field + " must be an absolute http(s) URL");
        }
        if (uri.getUserInfo() != null) {
            throw ApiException.invalid(field, "url", field + " must not carry credentials");
        }
        if (allowInsecure) {
            return uri;
        }
        if (!scheme.equals("https")) {
            throw ApiException.invalid(field, "https", field + " must use https");
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                if (!AddressPolicy.strict().permits(address)) {
                    throw ApiException.invalid(field, "public_address", field + " resolves to a private, loopback or link-local address");
                }
            }
        } catch (UnknownHostException e) {
            throw ApiException.invalid(field, "resolvable", field + " host does not resolve");
        }
        return uri;
    }
}
