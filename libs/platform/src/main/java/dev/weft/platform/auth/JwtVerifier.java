package dev.weft.platform.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.quarkus.logging.Log;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Verifies bearer access tokens with SmallRye JWT: an RS256/ES256 JWT whose {@code kid} is in the
 * issuer's JWKS (fetched and cached by SmallRye JWT, refetched for an unknown kid), with the
 * expected {@code iss} and {@code aud}, unexpired, carrying {@code org} and {@code scope}, and not
 * on this replica's {@link RevokedTokens} deny-list. Unsigned ({@code alg: none}) and HMAC-signed
 * tokens are refused by the algorithm constraint. Tokens of a configured trusted issuer (Keycloak
 * mode) are verified the same way against that issuer's own JWKS; any other {@code iss} goes to
 * Weft's parser, which refuses it.
 *
 * <p>SmallRye JWT's own HTTP mechanism is off ({@code quarkus.smallrye-jwt.enabled=false}): the
 * platform's {@link AuthenticationFilter} runs the bearer, API-key and WEFT-HMAC verifiers in one
 * place, so all three give the same principal, scope checks and error shape.
 */
@ApplicationScoped
public class JwtVerifier implements CredentialVerifier {
    private static final String BEARER = "Bearer ";
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    private final Issuer weft;
    /** Per trusted issuer, keyed by its exact {@code iss}. */
    private final Map<String, Issuer> trusted = new HashMap<>();
    private final RevokedTokens revoked;
    private final ObjectMapper json;

    public JwtVerifier(PlatformConfig config, Instance<JwkSourceProvider> providedKeys, RevokedTokens revoked, ObjectMapper json) {
        this.revoked = revoked;
        this.json = json;
        PlatformConfig.Auth.Jwt jwt = config.auth().jwt();
        JWTAuthContextInfo weftContext = context(jwt, jwt.issuer(), true);
        if (providedKeys.isResolvable()) {
            // The issuer itself (auth-service) holds the keys; every other service reads configuration.
            JwkSourceProvider keys = providedKeys.get();
            weft = new Issuer(weftContext, "scope", keys::jwks, keys::reloadJwks);
        } else if (jwt.jwks().isPresent()) {
            String inline = jwt.jwks().get();
            weft = new Issuer(weftContext, "scope", () -> inline, null);
        } else if (jwt.jwksUrl().isPresent()) {
            weftContext.setPublicKeyLocation(jwt.jwksUrl().get());
            weft = new Issuer(weftContext, "scope", null, null);
        } else {
            Log.warn("event=jwt_verification_disabled reason=no_jwks_configured");
            weft = new Issuer(weftContext, "scope", () -> "{\"keys\":[]}", null);
        }
        jwt.trustedIssuers().forEach((name, issuer) -> {
            // Another issuer's subject is its own user id; the client is in azp/client_id, so sub is not required.
            JWTAuthContextInfo context = context(jwt, issuer.issuer(), false);
            context.setPublicKeyLocation(issuer.jwksUrl());
            trusted.put(issuer.issuer(), new Issuer(context, issuer.scopeClaim(), null, null));
            Log.infof("event=jwt_trusted_issuer name=%s issuer=%s", name, issuer.issuer());
        });
    }

    private static JWTAuthContextInfo context(PlatformConfig.Auth.Jwt jwt, String issuer, boolean requireSubject) {
        JWTAuthContextInfo context = new JWTAuthContextInfo();
        context.setIssuedBy(issuer);
        context.setExpectedAudience(Set.of(jwt.audience()));
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256));
        context.setClockSkew((int) jwt.clockSkew().toSeconds());
        context.setRequiredClaims(requireSubject ? Set.of("sub", "org") : Set.of("org"));
        context.setRequireNamedPrincipal(requireSubject);
        context.setRelaxVerificationKeyValidation(false);
        // A key id we have not seen (the issuer rotated) refetches the JWKS at most once a minute.
        context.setForcedJwksRefreshInterval(1);
        return context;
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
        // Choosing the keys by the unverified iss is safe: only configured issuers have parsers, and each one checks iss again.
        Verified verified = recentlyVerified(token);
        if (verified == null) {
            Issuer issuer = trusted.isEmpty() ? weft : trusted.getOrDefault(unverifiedIssuer(token), weft);
            verified = remember(token, issuer, claims(issuer, token));
        }
        if (revoked.isRevoked(verified.tokenId(), verified.sessionId(), verified.subject(), verified.issuedAt())) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token has been revoked");
        }
        return Optional.of(new RequestPrincipal(verified.orgId(), verified.scopes(), verified.subject(), RequestPrincipal.CredentialType.ACCESS_TOKEN,
                verified.plan()));
    }

    /**
     * Tokens whose signature and claims were checked in the last {@link #REVERIFY_AFTER_NANOS}, kept until then or
     * their {@code exp}, whichever comes first: a client sends the same token with every request, and parsing and
     * verifying it each time cost 3% of a workflow invoke's CPU (bench/workflows). Revocation is still checked on
     * every request (below the cache); a key removed from an issuer's JWKS stops verifying its tokens within the window.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Verified> verifiedTokens = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long REVERIFY_AFTER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_VERIFIED_TOKENS = 10_000;

    /**
     * A verified token's claims as a principal needs them, read once: SmallRye's {@code getClaim} of a non-standard claim
     * (org, scope, plan, sid) throws and catches an exception inside ({@code Claims.valueOf}), and the scope is split.
     */
    private record Verified(long expiresAt, String tokenId, String sessionId, String subject, Instant issuedAt, String orgId, Set<String> scopes,
                            String plan, long verifiedAtNanos) {
    }

    private Verified recentlyVerified(String token) {
        Verified verified = verifiedTokens.get(token);
        if (verified == null) {
            return null;
        }
        long expiresAt = verified.expiresAt();
        if (System.nanoTime() - verified.verifiedAtNanos() > REVERIFY_AFTER_NANOS
                || (expiresAt > 0 && Instant.now().getEpochSecond() >= expiresAt)) {
            verifiedTokens.remove(token, verified);
            return null;
        }
        return verified;
    }

    private Verified remember(String token, Issuer issuer, JsonWebToken claims) {
        if (verifiedTokens.size() >= MAX_VERIFIED_TOKENS) {
            verifiedTokens.clear(); // crude, and rare: more distinct live tokens than this in 30 s
        }
        String scope = text(claims, issuer.scopeClaim);
        Set<String> scopes = scope == null ? Set.of()
                : Set.copyOf(Arrays.stream(scope.split(" ")).filter(s -> !s.isBlank()).collect(Collectors.toCollection(HashSet::new)));
        Verified verified = new Verified(claims.getExpirationTime(), claims.getTokenID(), text(claims, "sid"),
                issuer == weft ? claims.getSubject() : clientOf(claims),
                claims.getIssuedAtTime() > 0 ? Instant.ofEpochSecond(claims.getIssuedAtTime()) : null, text(claims, "org"), scopes, text(claims, "plan"),
                System.nanoTime());
        verifiedTokens.put(token, verified);
        return verified;
    }

    /** A claim as text, whatever JSON type the issuer gave it (a signed token is trusted, not its claim types). */
    public static String text(JsonWebToken claims, String name) {
        Object value = claims.getClaim(name);
        if (value == null) {
            return null;
        }
        if (value instanceof jakarta.json.JsonString string) {
            return string.getString();
        }
        return value.toString();
    }

    /** The verified claims of a Weft access token (auth-service's revocation and introspection); empty if it does not verify. */
    public Optional<JsonWebToken> verifiedWeftToken(String token) {
        try {
            return Optional.of(weft.parse(token));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static JsonWebToken claims(Issuer issuer, String token) {
        try {
            return issuer.parse(token);
        } catch (ParseException e) {
            InvalidJwtException invalid = cause(e, InvalidJwtException.class);
            if (invalid != null && invalid.hasExpired()) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token has expired");
            }
            if (invalid != null && (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)
                    || invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)
                    || invalid.hasErrorCode(ErrorCodes.ISSUED_AT_MISSING) || invalid.hasErrorCode(ErrorCodes.SUBJECT_MISSING)
                    // SmallRye JWT reports a missing required claim (org, sub) with no jose4j error code.
                    || invalid.getErrorDetails().isEmpty())) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is not valid for this API");
            }
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is malformed or its signature does not verify");
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is malformed or its signature does not verify");
        }
    }

    private String unverifiedIssuer(String token) {
        try {
            JsonNode payload = json.readTree(BASE64URL.decode(token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'))));
            return payload.path("iss").asText(null);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The client a foreign token was issued to (Keycloak: client_id, else azp), so logs name the Weft client id. */
    private static String clientOf(JsonWebToken claims) {
        String client = text(claims, "client_id");
        if (client == null) {
            client = text(claims, "azp");
        }
        return client != null ? client : claims.getSubject();
    }

    private static <T extends Throwable> T cause(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * One issuer: a SmallRye JWT parser over its keys. A parser resolves its keys once and keeps them (and, for a JWKS
     * URL, refreshes them itself), so keys supplied in-process get a new parser when the document changes.
     */
    private static final class Issuer {
        private final JWTAuthContextInfo context;
        private final String scopeClaim;
        private final Supplier<String> keys;
        private final Supplier<String> reload;
        private volatile String currentKeys;
        private volatile DefaultJWTParser parser;

        Issuer(JWTAuthContextInfo context, String scopeClaim, Supplier<String> keys, Supplier<String> reload) {
            this.context = context;
            this.scopeClaim = scopeClaim;
            this.keys = keys;
            this.reload = reload;
            if (keys == null) {
                parser = new DefaultJWTParser(context);
            }
        }

        JsonWebToken parse(String token) throws ParseException {
            if (keys == null) {
                return parser.parse(token);
            }
            DefaultJWTParser current = parserFor(keys.get());
            try {
                return current.parse(token);
            } catch (ParseException e) {
                if (reload == null || cause(e, UnresolvableKeyException.class) == null) {
                    throw e;
                }
                return parserFor(reload.get()).parse(token);
            }
        }

        private DefaultJWTParser parserFor(String jwks) {
            DefaultJWTParser current = parser;
            if (current != null && jwks.equals(currentKeys)) {
                return current;
            }
            synchronized (this) {
                if (parser == null || !jwks.equals(currentKeys)) {
                    JWTAuthContextInfo withKeys = new JWTAuthContextInfo(context);
                    withKeys.setPublicKeyContent(jwks);
                    parser = new DefaultJWTParser(withKeys);
                    currentKeys = jwks;
                }
                return parser;
            }
        }
    }
}
