package dev.weft.auth.token;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The bodies of the OAuth endpoints as OpenAPI shows them. The endpoints read their bodies raw
 * ({@link OAuthRequest}) so that any bad input gets RFC 6749's error shape; these records only
 * describe the parameters, which are the same in JSON (seed 000) and form encoding (RFC 6749).
 */
final class OAuthSchemas {
    private OAuthSchemas() {
    }

    @Schema(name = "TokenRequest", description = "The client may authenticate with HTTP Basic (client_secret_basic) instead of client_id and client_secret")
    record TokenRequest(
            @Schema(required = true, enumeration = {"client_credentials", "refresh_token"}) String grantType,
            String clientId,
            String clientSecret,
            @Schema(description = "Required with grant_type refresh_token") String refreshToken,
            @Schema(description = "Space-separated scopes, a subset of the client's (or the refresh token's)") String scope) {
    }

    @Schema(name = "RevokeRequest", description = "RFC 7009; the client authenticates as at /v1/auth/token")
    record RevokeRequest(
            @Schema(required = true, description = "An access token or a refresh token") String token,
            @Schema(enumeration = {"access_token", "refresh_token"}, description = "Optional; the token is found either way")
            String tokenTypeHint,
            String clientId,
            String clientSecret) {
    }

    @Schema(name = "IntrospectRequest", description = "RFC 7662")
    record IntrospectRequest(
            @Schema(required = true, description = "An access token, refresh token, API key or signing key id") String token,
            @Schema(description = "Optional; the token is found either way") String tokenTypeHint) {
    }

    @Schema(name = "OAuthError", description = "RFC 6749 section 5.2: the OAuth endpoints' error shape, which OAuth client libraries parse")
    record OAuthErrorBody(
            @Schema(required = true, enumeration = {"invalid_request", "invalid_client", "invalid_grant", "invalid_scope",
                    "unsupported_grant_type"}) String error,
            String errorDescription) {
    }
}
