package dev.weft.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.weft.auth.AuthConfig;
import dev.weft.auth.client.ClientAuthenticator.AuthenticatedClient;
import dev.weft.auth.keys.KeyRing;
import dev.weft.auth.keys.KeyRingJwkSource;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.id.TypeId;
import jakarta.enterprise.context.ApplicationScoped;

import java.text.ParseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

/**
 * Access tokens: RS256 JWTs with {@code kid}, signed with the key ring's active key, carrying
 * iss/aud/sub (the client id)/client_id/org/scope/plan (for rate limits)/jti/iat/exp.
 */
@ApplicationScoped
public class AccessTokens {
    private final KeyRing keyRing;
    private final AuthConfig config;
    private final PlatformConfig.Auth.Jwt jwt;
    private final DefaultJWTProcessor<SecurityContext> processor;

    public record Minted(String token, String jti, Instant expiresAt) {
    }

    public AccessTokens(KeyRing keyRing, KeyRingJwkSource keys, AuthConfig config, PlatformConfig platform) {
        this.keyRing = keyRing;
        this.config = config;
        this.jwt = platform.auth().jwt();
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys.jwkSource()));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(jwt.audience(),
                new JWTClaimsSet.Builder().issuer(jwt.issuer()).build(), Set.of("sub", "exp", "iat", "org", "jti"));
        claims.setMaxClockSkew((int) jwt.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    public Minted mint(AuthenticatedClient client, String scope) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = now.plus(config.accessTokenLifetime());
        String jti = TypeId.generate("atk");
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(jwt.issuer())
                .audience(jwt.audience())
                .subject(client.clientId())
                .claim("client_id", client.clientId())
                .claim("org", client.orgId())
                .claim("scope", scope)
                .claim("plan", client.plan())
                .jwtID(jti)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .build();
        return new Minted(sign(claims), jti, expiresAt);
    }

    /** Signs arbitrary claims with the active key (tests use it to mint expired or foreign tokens). */
    public String sign(JWTClaimsSet claims) {
        RSAKey key = keyRing.signingKey();
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        try {
            token.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign an access token", e);
        }
        return token.serialize();
    }

    /** The claims of a token this service issued that is currently valid (signature, iss, aud, exp); empty otherwise. */
    public Optional<JWTClaimsSet> verify(String token) {
        try {
            return Optional.of(processor.process(token, null));
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
