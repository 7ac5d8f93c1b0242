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

    Keycloak keycloak();

    /**
     * Keycloak mode: with {@code url}, {@code realm}, {@code admin-username} and
     * {@code admin-password} set, every OAuth client is also provisioned as a confidential client
     * in that realm. All optional, so the mode is off unless configured.
     */
    interface Keycloak {
        /** Base URL of the Keycloak server, e.g. {@code http://keycloak:8080}. */
        Optional<String> url();

        /** Realm the Weft clients are provisioned in (its issuer must be a trusted issuer of every service). */
        Optional<String> realm();

        /** Realm the admin user logs in to. */
        @WithDefault("master")
        String adminRealm();

        /** Client the admin user logs in with (password grant). */
        @WithDefault("admin-cli")
        String adminClientId();

        Optional<String> adminUsername();

        Optional<String> adminPassword();

        /** Longest wait for one Keycloak call; it runs inside the Weft transaction, which stays open meanwhile. */
        @WithDefault("10s")
        Duration timeout();

        /** Whether every setting the mode needs is present. */
        default boolean enabled() {
            return url().isPresent() && realm().isPresent() && adminUsername().isPresent() && adminPassword().isPresent();
        }
    }
}
