package dev.weft.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** auth-service settings; each key is listed in docs/configuration.md and docs/authentication.md. */
@ConfigMapping(prefix = "weft.auth")
public interface AuthConfig {

    /**
     * The bootstrap operator credential ({@code Authorization: Bearer <token>}), which alone may
     * create organizations. Unset: no operator access at all.
     */
    Optional<String> operatorToken();

    /** Public base URL of the API, used to build the endpoints in the RFC 8414 metadata. */
    @WithDefault("http://127.0.0.1:8080")
    String issuerUrl();

    /** Lifetime of an access token (the JWT's exp - iat, and expires_in). */
    @WithDefault("1h")
    Duration accessTokenLifetime();

    /** Lifetime of each refresh token; every use issues a new one with a fresh lifetime. */
    @WithDefault("30d")
    Duration refreshTokenLifetime();

    /** Age after which the active JWT signing key is replaced (checked on use, once across replicas). */
    @WithDefault("30d")
    Duration signingKeyRotation();

    /** How long a replica trusts its in-memory copy of the signing keys before re-reading them. */
    @WithDefault("10s")
    Duration signingKeyCacheTtl();
}
