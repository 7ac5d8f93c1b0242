package dev.weft.auth.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.weft.platform.auth.JwkSourceProvider;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

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
    public JWKSource<SecurityContext> jwkSource() {
        return (JWKSelector selector, SecurityContext context) -> {
            List<JWK> found = selector.select(keyRing.publishedKeys());
            return found.isEmpty() ? selector.select(keyRing.reloadPublishedKeys()) : found;
        };
    }
}
