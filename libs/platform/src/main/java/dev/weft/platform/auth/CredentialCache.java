package dev.weft.platform.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.crypto.Digests;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.function.Function;

/**
 * Short-lived answers of {@link CredentialIntrospector}, positive and negative, so a cached API
 * key or signing key costs no round trip. A {@code credential.revoked} event (or auth-service
 * itself, after a revocation commits) calls {@link #revoked}: the entry goes, and the id is
 * remembered for a while so that an introspection already in flight when the revocation happened
 * cannot put the stale answer back.
 */
@ApplicationScoped
public class CredentialCache {
    public static final String API_KEY = "api_key";
    public static final String SIGNING_KEY = "signing_key";

    /** Keyed by SHA-256 of the presented key, so no live secret sits in memory as a map key. */
    private final Cache<String, Optional<CredentialGrant>> apiKeys;
    private final Cache<String, Optional<CredentialGrant>> signingKeys;
    private final Cache<String, Boolean> recentlyRevoked;

    public CredentialCache(PlatformConfig config) {
        var ttl = config.auth().credentialCacheTtl();
        long size = config.auth().credentialCacheSize();
        apiKeys = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(size).build();
        signingKeys = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(size).build();
        recentlyRevoked = Caffeine.newBuilder().expireAfterWrite(ttl.multipliedBy(2)).maximumSize(size).build();
    }

    public Optional<CredentialGrant> apiKey(String presentedKey, Function<String, Optional<CredentialGrant>> introspect) {
        Optional<CredentialGrant> grant = apiKeys.get(Digests.sha256Hex(presentedKey), hash -> introspect.apply(presentedKey));
        return notRevoked(grant);
    }

    public Optional<CredentialGrant> signingKey(String keyId, Function<String, Optional<CredentialGrant>> introspect) {
        return notRevoked(signingKeys.get(keyId, introspect));
    }

    /** Forgets everything known about the credential; {@code credentialType} is api_key or signing_key. */
    public void revoked(String credentialType, String credentialId) {
        if (credentialId == null || credentialId.isBlank()) {
            return;
        }
        recentlyRevoked.put(credentialId, Boolean.TRUE);
        if (SIGNING_KEY.equals(credentialType)) {
            signingKeys.invalidate(credentialId);
        } else if (API_KEY.equals(credentialType)) {
            apiKeys.asMap().values().removeIf(grant -> grant.isPresent() && credentialId.equals(grant.get().credentialId()));
        }
    }

    /** Drops every answer (e.g. when the revocation listener may have missed events). */
    public void clear() {
        apiKeys.invalidateAll();
        signingKeys.invalidateAll();
    }

    private Optional<CredentialGrant> notRevoked(Optional<CredentialGrant> grant) {
        if (grant.isPresent() && recentlyRevoked.getIfPresent(grant.get().credentialId()) != null) {
            return Optional.empty();
        }
        return grant;
    }
}
