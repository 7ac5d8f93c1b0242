package dev.weft.platform.auth;

import java.util.Optional;

/**
 * Asks the owner of API keys and signing keys (auth-service) what a credential grants. Every
 * service uses {@link HttpCredentialIntrospector}; auth-service supplies its own bean that reads
 * its database, which replaces the HTTP one (same pattern as {@link JwkSourceProvider}).
 * Answers are cached by {@link CredentialCache}, so implementations need not cache.
 */
public interface CredentialIntrospector {

    /** @return empty for an unknown, revoked or expired key; throws when the answer cannot be obtained. */
    Optional<CredentialGrant> apiKey(String presentedKey);

    /** @return the key's grant including its secret; empty for an unknown or revoked key. */
    Optional<CredentialGrant> signingKey(String keyId);
}
