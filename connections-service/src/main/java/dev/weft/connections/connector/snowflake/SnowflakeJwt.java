package dev.weft.connections.connector.snowflake;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.PemKeys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snowflake's key-pair authentication: a JWT signed RS256 with the user's private key, issuer
 * {@code ACCOUNT.USER.SHA256:<fingerprint of the public key>}, subject {@code ACCOUNT.USER}, valid for at most an hour.
 * One token is minted per connection and reused until {@link #RENEW_BEFORE} of its life is left; a 401 mints anew.
 */
final class SnowflakeJwt {
    /** Snowflake accepts tokens that live at most one hour. */
    static final Duration LIFETIME = Duration.ofMinutes(59);
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    SnowflakeJwt(Clock clock) {
        this.clock = clock;
    }

    private record Token(String jwt, Instant expiresAt, String identity) {
    }

    /** A current token for this connection. */
    String token(ConnectorContext context) {
        String identity = identity(context);
        Token current = tokens.get(context.connectionId());
        if (current != null && current.identity().equals(identity) && current.expiresAt().minus(RENEW_BEFORE).isAfter(clock.instant())) {
            return current.jwt();
        }
        return mint(context, identity).jwt();
    }

    /** A new token after Snowflake refused {@code rejected} (unless another call already replaced it). */
    String renew(ConnectorContext context, String rejected) {
        Token current = tokens.get(context.connectionId());
        if (current != null && !current.jwt().equals(rejected)) {
            return current.jwt();
        }
        return mint(context, identity(context)).jwt();
    }

    void release(String connectionId) {
        tokens.remove(connectionId);
    }

    private Token mint(ConnectorContext context, String identity) {
        PrivateKey key = privateKey(context);
        String qualifiedUser = accountIdentifier(SnowflakeConnector.account(context)) + "." + user(context).toUpperCase(Locale.ROOT);
        Instant now = clock.instant();
        Instant expires = now.plus(LIFETIME);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(qualifiedUser + "." + fingerprint(PemKeys.rsaPublicKey(key, "Snowflake")))
                .subject(qualifiedUser)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw ConnectorException.auth("the Snowflake private key cannot sign RS256 tokens: " + e.getClass().getSimpleName());
        }
        Token token = new Token(jwt.serialize(), expires, identity);
        tokens.put(context.connectionId(), token);
        return token;
    }

    /**
     * The account part of the issuer, as Snowflake documents it: upper case, and for an account locator written with
     * its region ({@code xy12345.us-east-2.aws}) the locator alone.
     */
    static String accountIdentifier(String account) {
        String trimmed = account.trim();
        int dot = trimmed.indexOf('.');
        return (dot < 0 ? trimmed : trimmed.substring(0, dot)).toUpperCase(Locale.ROOT);
    }

    /** {@code SHA256:} and the base64 SHA-256 digest of the DER public key (what DESCRIBE USER shows as RSA_PUBLIC_KEY_FP). */
    static String fingerprint(PublicKey publicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            return "SHA256:" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String user(ConnectorContext context) {
        return context.credentials().get("username").filter(s -> !s.isBlank())
                .orElseThrow(() -> ConnectorException.auth("credentials.username is not set"));
    }

    private static PrivateKey privateKey(ConnectorContext context) {
        Optional<String> keyId = context.credentials().get("private_key_id").filter(s -> !s.isBlank());
        String pem;
        if (keyId.isPresent()) {
            pem = context.setting("private-key." + keyId.get()).orElseThrow(() -> ConnectorException.auth(
                    "private key " + keyId.get() + " is not configured for snowflake (operator setting private-key." + keyId.get() + ")"));
        } else {
            pem = context.credentials().get("private_key").filter(s -> !s.isBlank()).orElseThrow(() -> ConnectorException.auth(
                    "credentials need private_key or private_key_id for key-pair authentication"));
        }
        return PemKeys.rsaPrivateKey(pem, "Snowflake");
    }

    /** What the token was minted from, so that changed credentials or settings mint a new one. */
    private static String identity(ConnectorContext context) {
        String keyId = context.credentials().get("private_key_id").orElse("");
        String pem = keyId.isBlank() ? context.credentials().get("private_key").orElse("") : context.setting("private-key." + keyId).orElse("");
        return SnowflakeConnector.account(context) + "|" + context.credentials().get("username").orElse("") + "|" + keyId + "|"
                + pem.hashCode();
    }
}
