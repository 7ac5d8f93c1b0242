package dev.weft.platform.auth;

import java.util.function.Supplier;

/** What a verifier may look at: method, path with query, headers, and (lazily) the raw body. */
public record IncomingRequest(String method, String pathAndQuery, HeaderLookup headers, Supplier<byte[]> body) {

    @FunctionalInterface
    public interface HeaderLookup {
        String get(String name);
    }

    public String authorization() {
        return headers.get("Authorization");
    }
}
