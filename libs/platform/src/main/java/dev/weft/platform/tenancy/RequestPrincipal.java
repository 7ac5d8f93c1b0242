package dev.weft.platform.tenancy;

import java.util.Set;

/**
 * Who is calling: the organization every query is scoped to, the scopes granted, and the
 * credential that proved it (client id, API key id or signing key id).
 */
public record RequestPrincipal(String orgId, Set<String> scopes, String credentialId, CredentialType credentialType) {
    public static final String ADMIN_SCOPE = "admin";

    public enum CredentialType { ACCESS_TOKEN, API_KEY, SIGNED_REQUEST, OPERATOR }

    public RequestPrincipal {
        scopes = Set.copyOf(scopes);
    }

    /** {@code admin} implies every scope. */
    public boolean hasScope(String scope) {
        return scopes.contains(scope) || scopes.contains(ADMIN_SCOPE);
    }
}
