package dev.weft.platform.auth;

import java.util.function.Supplier;

/**
 * What a verifier may look at: method, path with query, headers, (lazily) the raw body, and whether the request was
 * routed to a service-to-service endpoint (a resource under {@code /internal/}), which only the internal credential
 * may call as a system principal.
 */
public record IncomingRequest(String method, Supplier<String> target, HeaderLookup headers, Supplier<byte[]> body, boolean internalEndpoint) {

    /** A request to a public endpoint. */
    public IncomingRequest(String method, String pathAndQuery, HeaderLookup headers, Supplier<byte[]> body) {
        this(method, () -> pathAndQuery, headers, body, false);
    }

    /**
     * The path with its query, as the client sent it. Worked out only when asked (a signed request's verification, a
     * refusal's log line): building the request URI for every request was about 1 % of a send's CPU (bench/messaging).
     */
    public String pathAndQuery() {
        return target.get();
    }

    @FunctionalInterface
    public interface HeaderLookup {
        String get(String name);
    }

    public String authorization() {
        return headers.get("Authorization");
    }
}
