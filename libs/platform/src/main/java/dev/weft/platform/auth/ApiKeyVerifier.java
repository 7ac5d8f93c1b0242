package dev.weft.platform.auth;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises API keys ({@code wft_live_...}, {@code wft_test_...}) presented as
 * {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}, and asks auth-service what
 * they grant (through the cache). Any other bearer token is left to the other verifiers.
 */
@ApplicationScoped
public class ApiKeyVerifier implements CredentialVerifier {
    public static final String KEY_PREFIX = "wft_";
    public static final String HEADER = "X-API-Key";
    private static final String BEARER = "Bearer ";
    private static final Pattern FORMAT = Pattern.compile("wft_(live|test)_[A-Za-z0-9_-]{32,64}");

    private final CredentialIntrospector introspector;
    private final CredentialCache cache;

    public ApiKeyVerifier(CredentialIntrospector introspector, CredentialCache cache) {
        this.introspector = introspector;
        this.cache = cache;
    }

    @Override
    public Optional<RequestPrincipal> verify(IncomingRequest request) {
        String presented = presentedKey(request);
        if (presented == null) {
            return Optional.empty();
        }
        // Checked before any round trip: garbage never reaches auth-service or the cache.
        if (!FORMAT.matcher(presented).matches()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "API key is malformed");
        }
        CredentialGrant grant = cache.apiKey(presented, introspector::apiKey)
                .filter(g -> !g.expired(Instant.now()))
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "API key is invalid, revoked or expired"));
        return Optional.of(new RequestPrincipal(grant.orgId(), grant.scopes(), grant.credentialId(),
                RequestPrincipal.CredentialType.API_KEY, grant.plan()));
    }

    private static String presentedKey(IncomingRequest request) {
        String authorization = request.authorization();
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return null;
            }
            String token = authorization.substring(BEARER.length()).trim();
            return token.startsWith(KEY_PREFIX) ? token : null;
        }
        String header = request.headers().get(HEADER);
        return header == null ? null : header.trim();
    }
}
