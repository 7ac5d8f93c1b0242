package dev.weft.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.weft.auth.AuthConfig;
import dev.weft.auth.client.ClientAuthenticator.AuthenticatedClient;
import dev.weft.auth.keys.KeyRing;
import dev.weft.platform.auth.JwtVerifier;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.id.TypeId;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;

/**
 * Access tokens: RS256 JWTs with {@code kid}, signed with the key ring's active key, carrying
 * iss/aud/sub (the client id)/client_id/org/scope/plan (for rate limits)/sid (the refresh-token
 * family they came from, so revoking the family revokes them)/jti/iat/exp. Verified, here as in
 * every service, by the platform's {@link JwtVerifier} (SmallRye JWT).
 */
@ApplicationScoped
public class AccessTokens {
    private final KeyRing keyRing;
    private final AuthConfig config;
    private final PlatformConfig.Auth.Jwt jwt;
    private final JwtVerifier verifier;

    public record Minted(String token, String jti, Instant expiresAt) {
    }

    public AccessTokens(KeyRing keyRing, AuthConfig config, PlatformConfig platform, JwtVerifier verifier) {
        this.keyRing = keyRing;
        this.config = config;
        this.jwt = platform.auth().jwt();
        this.verifier = verifier;
    }

    /** @param family the refresh-token family ({@code rtf_...}) this token belongs to */
    public Minted mint(AuthenticatedClient client, String scope, String family) {
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
                .claim("sid", family)
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

    /** The claims of a token this service issued that is currently valid (signature, iss, aud, exp, a jti); empty otherwise. */
    public Optional<JsonWebToken> verify(String token) {
        return verifier.verifiedWeftToken(token).filter(claims -> claims.getTokenID() != null);
    }
}
