package dev.weft.auth.keys;

import dev.weft.platform.auth.JwkSourceProvider;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * auth-service verifies the tokens it issues against its own key table, not over HTTP against
 * its own JWKS endpoint. A kid not yet seen (another replica just rotated) triggers one re-read.
 */
@ApplicationScoped
public class KeyRingJwkSource implements JwkSourceProvider {
    private final KeyRing keyRing;

    public KeyRingJwkSource(KeyRing keyRing) {
        this.keyRing = keyRing;
    }

    @Override
    public String jwks() {
        return keyRing.publishedJwks();
    }

    @Override
    public String reloadJwks() {
        return keyRing.reloadPublishedJwks();
    }
}
