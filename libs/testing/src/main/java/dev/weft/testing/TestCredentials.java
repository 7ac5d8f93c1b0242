package dev.weft.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Mints access tokens the way auth-service does (RS256 JWT, {@code kid}, {@code org},
 * {@code scope}, {@code sub}, {@code jti}), signed with a key made once per test JVM whose public
 * half {@link WeftInfraResource} hands to the service under test.
 */
public final class TestCredentials {
    public static final String ISSUER = "https://weft.test";
    public static final String AUDIENCE = "weft";
    private static final String KEY_PROPERTY = "weft.test.jwk";

    private TestCredentials() {
    }

    /** {@code Authorization} header value for an org with the given scopes. */
    public static String bearer(String orgId, String... scopes) {
        return "Bearer " + token(orgId, Duration.ofHours(1), scopes);
    }

    public static String token(String orgId, Duration lifetime, String... scopes) {
        return token(orgId, null, lifetime, scopes);
    }

    /** {@code Authorization} header value for an org on a given rate-limit plan. */
    public static String bearerOnPlan(String orgId, String plan, String... scopes) {
        return "Bearer " + token(orgId, plan, Duration.ofHours(1), scopes);
    }

    public static String token(String orgId, String plan, Duration lifetime, String... scopes) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("cli_test")
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now.minusSeconds(1)))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim("org", orgId)
                .claim("scope", String.join(" ", scopes))
                .claim("plan", plan)
                .build();
        return sign(claims);
    }

    public static String sign(JWTClaimsSet claims) {
        RSAKey key = key();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** A keyring for secrets at rest ({@code weft.encryption.keys}), made once per test JVM. */
    public static synchronized String encryptionKeyring() {
        String keyring = System.getProperty("weft.test.keyring");
        if (keyring == null) {
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            keyring = "test1:" + java.util.Base64.getEncoder().encodeToString(key);
            System.setProperty("weft.test.keyring", keyring);
        }
        return keyring;
    }

    public static String publicJwks() {
        return new JWKSet(key().toPublicJWK()).toString();
    }

    private static synchronized RSAKey key() {
        try {
            String stored = System.getProperty(KEY_PROPERTY);
            if (stored == null) {
                RSAKey generated = new RSAKeyGenerator(2048).keyID("test-" + UUID.randomUUID()).generate();
                System.setProperty(KEY_PROPERTY, generated.toJSONString());
                return generated;
            }
            return RSAKey.parse(stored);
        } catch (JOSEException | ParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
