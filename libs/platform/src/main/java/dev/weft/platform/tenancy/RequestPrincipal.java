package dev.weft.platform.tenancy;

import java.util.Set;

/**
 * Who is calling: the organization every query is scoped to, the scopes granted, and the
 * credential that proved it (client id, API key id or signing key id), and the org's plan (rate limits).
 */
public record RequestPrincipal(String orgId, Set<String> scopes, String credentialId, CredentialType credentialType, String plan) {
    public static final String ADMIN_SCOPE = "admin";

    public enum CredentialType { ACCESS_TOKEN, API_KEY, SIGNED_REQUEST, OPERATOR }

    public RequestPrincipal {
        scopes = Set.copyOf(scopes);
    }

    /** A principal whose plan is not known here: rate limits use the default plan. */
    public RequestPrincipal(String orgId, Set<String> scopes, String credentialId, CredentialType credentialType) {
        this(orgId, scopes, credentialId, credentialType, null);
    }

    /** {@code admin} implies every scope. */
    public boolean hasScope(String scope) {
        return scopes.contains(scope) || scopes.contains(ADMIN_SCOPE);
    }
}
