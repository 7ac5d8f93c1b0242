package dev.weft.platform.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies Weft access tokens locally: an RS256/ES256 JWT whose {@code kid} is in the issuer's
 * JWKS, with the expected {@code iss} and {@code aud}, unexpired, carrying {@code org} and
 * {@code scope}. Unsigned ({@code alg: none}) and HMAC-signed tokens are refused by construction.
 */
@ApplicationScoped
public class JwtVerifier implements CredentialVerifier {
    private static final String BEARER = "Bearer ";
    private final DefaultJWTProcessor<SecurityContext> processor;

    public JwtVerifier(PlatformConfig config, Instance<JwkSourceProvider> providedKeys) {
        PlatformConfig.Auth.Jwt jwt = config.auth().jwt();
        // The issuer itself (auth-service) holds the keys and supplies them; every other service reads configuration.
        JWKSource<SecurityContext> keys = providedKeys.isResolvable() ? providedKeys.get().jwkSource() : keySource(jwt);
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                jwt.audience(),
                new JWTClaimsSet.Builder().issuer(jwt.issuer()).build(),
                Set.of("sub", "exp", "iat", "org"));
        claims.setMaxClockSkew((int) jwt.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    private static JWKSource<SecurityContext> keySource(PlatformConfig.Auth.Jwt jwt) {
        try {
            if (jwt.jwks().isPresent()) {
                return new ImmutableJWKSet<>(JWKSet.parse(jwt.jwks().get()));
            }
            if (jwt.jwksUrl().isPresent()) {
                return JWKSourceBuilder.create(URI.create(jwt.jwksUrl().get()).toURL()).retrying(true).build();
            }
        } catch (ParseException | MalformedURLException e) {
            throw new IllegalStateException("weft.platform.auth.jwt.jwks(-url) is not a valid JWKS", e);
        }
        Log.warn("event=jwt_verification_disabled reason=no_jwks_configured");
        return new ImmutableJWKSet<>(new JWKSet());
    }

    @Override
    public Optional<RequestPrincipal> verify(IncomingRequest request) {
        String authorization = request.authorization();
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (token.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet claims = processor.process(token, null);
            String org = claims.getStringClaim("org");
            String scope = claims.getStringClaim("scope");
            Set<String> scopes = scope == null ? Set.of()
                    : Arrays.stream(scope.split(" ")).filter(s -> !s.isBlank()).collect(Collectors.toCollection(HashSet::new));
            return Optional.of(new RequestPrincipal(org, scopes, claims.getSubject(), RequestPrincipal.CredentialType.ACCESS_TOKEN,
                    claims.getStringClaim("plan")));
        } catch (ExpiredJWTException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token has expired");
        } catch (BadJWTException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is not valid for this API");
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is malformed or its signature does not verify");
        }
    }
}
