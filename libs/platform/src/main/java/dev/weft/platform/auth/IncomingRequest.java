package dev.weft.platform.auth;

import java.util.function.Supplier;

/**
 * What a verifier may look at: method, path with query, headers, (lazily) the raw body, and whether the request was
 * routed to a service-to-service endpoint (a resource under {@code /internal/}), which only the internal credential
 * may call as a system principal.
 */
public record IncomingRequest(String method, String pathAndQuery, HeaderLookup headers, Supplier<byte[]> body, boolean internalEndpoint) {

    /** A request to a public endpoint. */
    public IncomingRequest(String method, String pathAndQuery, HeaderLookup headers, Supplier<byte[]> body) {
        this(method, pathAndQuery, headers, body, false);
    }

    @FunctionalInterface
    public interface HeaderLookup {
        String get(String name);
    }

    public String authorization() {
        return headers.get("Authorization");
    }
}
