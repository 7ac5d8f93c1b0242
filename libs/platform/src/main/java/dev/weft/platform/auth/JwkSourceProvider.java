package dev.weft.platform.auth;

/**
 * Lets a service supply the verification keys of {@link JwtVerifier} itself instead of through
 * {@code weft.platform.auth.jwt.jwks(-url)}: the issuer (auth-service) reads its own signing keys
 * from its database rather than fetching its own JWKS over HTTP. When no bean implements this,
 * configuration decides.
 */
public interface JwkSourceProvider {

    /** The current JWKS document; called per verification, so it must be cheap (a cached string). */
    String jwks();

    /** Reads the keys again (a token named a key id not in {@link #jwks()}, e.g. another replica just rotated). */
    String reloadJwks();
}
