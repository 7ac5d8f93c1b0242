package dev.weft.platform.http;

import dev.weft.platform.error.ApiException;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * The registration-time rule for URLs Weft calls on a customer's behalf (webhook endpoints, extensions): an absolute
 * https URL (http only where the {@link AddressPolicy} allows it), no credentials in it, and a host whose every address
 * the policy permits, so an API caller cannot aim Weft at its own network (loopback, private, link-local, the cloud
 * metadata address). The caller checks the address again when it connects, since DNS can change in between.
 */
public final class OutboundUrls {
    /** For local runs and tests: any address, plain http. */
    private static final AddressPolicy ANY_ADDRESS = AddressPolicy.of(List.of("0.0.0.0/0", "::/0"), true);

    private OutboundUrls() {
    }

    /** Whether a host that does not resolve (yet) is accepted at registration. */
    public enum Unresolvable {
        ACCEPTED, REFUSED
    }

    /** Extensions: the strict policy, or any address and plain http where the operator allows insecure URLs. */
    public static URI requireAllowed(String url, boolean allowInsecure, String field) {
        return check(url, field, allowInsecure ? ANY_ADDRESS : AddressPolicy.strict(),
                allowInsecure ? Unresolvable.ACCEPTED : Unresolvable.REFUSED);
    }

    public static URI check(String url, String field, AddressPolicy policy, Unresolvable unresolvable) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw ApiException.invalid(field, "url", field + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw ApiException.invalid(field, "url", field + (policy.plainHttpAllowed() ? " must be an absolute http or https URL" : " must be an absolute https URL"));
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
            if (unresolvable == Unresolvable.ACCEPTED) {
                return uri;
            }
            throw ApiException.invalid(field, "resolvable", field + " host does not resolve");
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
