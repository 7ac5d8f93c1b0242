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
import com.nimbusds.jwt.JWTParser;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies Weft access tokens locally: an RS256/ES256 JWT whose {@code kid} is in the issuer's
 * JWKS, with the expected {@code iss} and {@code aud}, unexpired, carrying {@code org} and
 * {@code scope}. Unsigned ({@code alg: none}) and HMAC-signed tokens are refused by construction.
 * Tokens of a configured trusted issuer (Keycloak mode) are verified the same way, against that
 * issuer's own JWKS; any other {@code iss} goes to Weft's processor, which refuses it.
 */
@ApplicationScoped
public class JwtVerifier implements CredentialVerifier {
    private static final String BEARER = "Bearer ";
    private final DefaultJWTProcessor<SecurityContext> processor;
    /** Processor and scope claim per trusted issuer, keyed by the exact {@code iss}. */
    private final Map<String, Issuer> trusted = new HashMap<>();

    private record Issuer(DefaultJWTProcessor<SecurityContext> processor, String scopeClaim) {
    }

    public JwtVerifier(PlatformConfig config, Instance<JwkSourceProvider> providedKeys) {
        PlatformConfig.Auth.Jwt jwt = config.auth().jwt();
        // The issuer itself (auth-service) holds the keys and supplies them; every other service reads configuration.
        JWKSource<SecurityContext> keys = providedKeys.isResolvable() ? providedKeys.get().jwkSource() : keySource(jwt);
        processor = processor(jwt, jwt.issuer(), keys, Set.of("sub", "exp", "iat", "org"));
        jwt.trustedIssuers().forEach((name, issuer) -> {
            // Another issuer's subject is its own user id; the client is in azp/client_id, so sub is not required.
            trusted.put(issuer.issuer(), new Issuer(processor(jwt, issuer.issuer(), remoteKeys(issuer.jwksUrl()),
                    Set.of("exp", "iat", "org")), issuer.scopeClaim()));
            Log.infof("event=jwt_trusted_issuer name=%s issuer=%s", name, issuer.issuer());
        });
    }

    private static DefaultJWTProcessor<SecurityContext> processor(PlatformConfig.Auth.Jwt jwt, String issuer,
                                                                  JWKSource<SecurityContext> keys, Set<String> required) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                jwt.audience(), new JWTClaimsSet.Builder().issuer(issuer).build(), required);
        claims.setMaxClockSkew((int) jwt.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }

    private static JWKSource<SecurityContext> remoteKeys(String jwksUrl) {
        try {
            return JWKSourceBuilder.create(URI.create(jwksUrl).toURL()).retrying(true).build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("weft.platform.auth.jwt.trusted-issuers.*.jwks-url is not a valid URL", e);
        }
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
            // Choosing the keys by the unverified iss is safe: only configured issuers have processors,
            // and each one verifies the signature and the iss again.
            Issuer other = trusted.isEmpty() ? null : trusted.get(JWTParser.parse(token).getJWTClaimsSet().getIssuer());
            JWTClaimsSet claims = (other == null ? processor : other.processor()).process(token, null);
            String org = claims.getStringClaim("org");
            String scope = claims.getStringClaim(other == null ? "scope" : other.scopeClaim());
            Set<String> scopes = scope == null ? Set.of()
                    : Arrays.stream(scope.split(" ")).filter(s -> !s.isBlank()).collect(Collectors.toCollection(HashSet::new));
            String subject = other == null ? claims.getSubject() : clientOf(claims);
            return Optional.of(new RequestPrincipal(org, scopes, subject, RequestPrincipal.CredentialType.ACCESS_TOKEN,
                    claims.getStringClaim("plan")));
        } catch (ExpiredJWTException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token has expired");
        } catch (BadJWTException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is not valid for this API");
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is malformed or its signature does not verify");
        }
    }

    /** The client a foreign token was issued to (Keycloak: client_id, else azp), so logs name the Weft client id. */
    private static String clientOf(JWTClaimsSet claims) throws ParseException {
        String client = claims.getStringClaim("client_id");
        if (client == null) {
            client = claims.getStringClaim("azp");
        }
        return client != null ? client : claims.getSubject();
    }
}
