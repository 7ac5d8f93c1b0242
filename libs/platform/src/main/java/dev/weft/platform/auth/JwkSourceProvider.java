package dev.weft.platform.auth;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * Lets a service supply the verification keys of {@link JwtVerifier} itself instead of through
 * {@code weft.platform.auth.jwt.jwks(-url)}: the issuer (auth-service) reads its own signing keys
 * from its database rather than fetching its own JWKS over HTTP. When no bean implements this,
 * configuration decides.
 */
public interface JwkSourceProvider {
    JWKSource<SecurityContext> jwkSource();
}
