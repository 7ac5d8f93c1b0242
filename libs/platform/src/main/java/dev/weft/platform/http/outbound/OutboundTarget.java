package dev.weft.platform.http.outbound;

import dev.weft.platform.http.AddressPolicy;
import dev.weft.platform.http.outbound.OutboundOutcome.Failure;
import io.netty.util.NetUtil;
import java.net.URI;
import java.util.Locale;

/** Where a delivery goes, taken apart from its URL and checked against the scheme rules of the policy. */
record OutboundTarget(String host, int port, boolean tls, String requestUri) {

    /** A URL that must not be sent to; the message is safe to show. */
    static final class Refused extends Exception {
        final Failure failure;

        Refused(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }
    }

    static OutboundTarget of(URI url, AddressPolicy policy) throws Refused {
        if (url == null || !url.isAbsolute() || url.isOpaque()) {
            throw new Refused(Failure.INVALID_URL, "URL must be an absolute http(s) URL");
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = switch (scheme) {
            case "https" -> true;
            case "http" -> false;
            default -> throw new Refused(Failure.INVALID_URL, "URL scheme must be https");
        };
        if (!tls && !policy.plainHttpAllowed()) {
            throw new Refused(Failure.BLOCKED_ADDRESS, "plain http is not allowed, use https");
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new Refused(Failure.INVALID_URL, "URL has no valid host");
        }
        // Credentials in a URL would end up in logs and are not sent anyway.
        if (url.getRawUserInfo() != null) {
            throw new Refused(Failure.INVALID_URL, "URL must not contain user info");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = url.getPort() == -1 ? (tls ? 443 : 80) : url.getPort();
        if (port < 1 || port > 65_535) {
            throw new Refused(Failure.INVALID_URL, "URL port is out of range");
        }
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String requestUri = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        return new OutboundTarget(host, port, tls, requestUri);
    }

    boolean hostIsIpLiteral() {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }
}
