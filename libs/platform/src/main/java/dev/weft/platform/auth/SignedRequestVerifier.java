package dev.weft.platform.auth;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies {@code Authorization: WEFT-HMAC key_id="sk_...", timestamp="<unix s>", signature="sha256=<hex>"}:
 * HMAC-SHA256 with the signing key's secret over {@code timestamp \n METHOD \n path-and-query \n
 * hex(sha256(body))}. Signing the method and path (not the body alone, as seed 003 does) stops an
 * empty-body GET signature from being replayed against another resource. Checks run cheapest
 * first, and the replay store is written only for a signature that verified, so nobody can fill
 * it with garbage.
 */
@ApplicationScoped
public class SignedRequestVerifier implements CredentialVerifier {
    public static final String SCHEME = "WEFT-HMAC";
    public static final String KEY_ID_PREFIX = "sk";
    private static final Pattern PARAM = Pattern.compile("\\s*([a-z_]+)=\"([^\"]*)\"\\s*");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");
    private static final Pattern SIGNATURE = Pattern.compile("sha256=([0-9a-fA-F]{64})");

    private final CredentialIntrospector introspector;
    private final CredentialCache cache;
    private final SeenSignatures seen;
    private final Duration tolerance;

    public SignedRequestVerifier(CredentialIntrospector introspector, CredentialCache cache, SeenSignatures seen, PlatformConfig config) {
        this.introspector = introspector;
        this.cache = cache;
        this.seen = seen;
        this.tolerance = config.auth().signedRequests().tolerance();
    }

    @Override
    public Optional<RequestPrincipal> verify(IncomingRequest request) {
        String authorization = request.authorization();
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            return Optional.empty();
        }
        Map<String, String> params = parameters(authorization.substring(SCHEME.length() + 1));
        String keyId = params.get("key_id");
        String timestamp = params.get("timestamp");
        Matcher signature = SIGNATURE.matcher(params.getOrDefault("signature", ""));
        if (keyId == null || timestamp == null || !TIMESTAMP.matcher(timestamp).matches() || !signature.matches()
                || TypeId.parse(KEY_ID_PREFIX, keyId).isEmpty()) {
            throw malformed();
        }
        long signedAt = Long.parseLong(timestamp);
        long now = Instant.now().getEpochSecond();
        if (Math.abs(now - signedAt) > tolerance.toSeconds()) {
            throw new ApiException(ErrorCode.TIMESTAMP_OUT_OF_RANGE, "The request timestamp is outside the accepted window of ±"
                    + tolerance.toSeconds() + " s; check the client's clock",
                    Map.of("server_time", now, "tolerance_seconds", tolerance.toSeconds()));
        }
        CredentialGrant grant = cache.signingKey(keyId, introspector::signingKey)
                .filter(g -> g.secret() != null)
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "Unknown or revoked signing key"));
        String presented = signature.group(1).toLowerCase(Locale.ROOT);
        String expected = sign(grant.secret(), timestamp, request.method(), request.pathAndQuery(), request.body().get());
        // Constant time: an attacker learns nothing from how long the comparison took.
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII))) {
            Log.infof("event=signature_mismatch key_id=%s method=%s", keyId, request.method());
            throw new ApiException(ErrorCode.INVALID_SIGNATURE,
                    "The signature does not match this request (timestamp, method, path and query, body)");
        }
        if (!seen.firstUse(keyId, presented, Instant.ofEpochSecond(signedAt).plus(tolerance).plusSeconds(1))) {
            Log.infof("event=signed_request_replayed key_id=%s method=%s", keyId, request.method());
            throw new ApiException(ErrorCode.UNAUTHORIZED, "This signed request was already used; sign each request afresh",
                    Map.of("reason", "replayed_signature"));
        }
        return Optional.of(new RequestPrincipal(grant.orgId(), grant.scopes(), grant.credentialId(),
                RequestPrincipal.CredentialType.SIGNED_REQUEST, grant.plan()));
    }

    /** {@code key_id, timestamp, signature}, each exactly once, comma-separated, nothing else. */
    private static Map<String, String> parameters(String value) {
        Map<String, String> params = new HashMap<>();
        for (String part : value.split(",", -1)) {
            Matcher param = PARAM.matcher(part);
            if (!param.matches() || params.put(param.group(1), param.group(2)) != null) {
                throw malformed();
            }
        }
        if (!params.keySet().equals(java.util.Set.of("key_id", "timestamp", "signature"))) {
            throw malformed();
        }
        return params;
    }

    /** The WEFT-HMAC signature of a request, lower-case hex (also what clients compute). */
    public static String sign(String secret, String timestamp, String method, String pathAndQuery, byte[] body) {
        try {
            String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            String canonical = timestamp + "\n" + method.toUpperCase(Locale.ROOT) + "\n" + pathAndQuery + "\n" + bodyHash;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException malformed() {
        return new ApiException(ErrorCode.UNAUTHORIZED,
                "Malformed WEFT-HMAC Authorization header; expected key_id=\"sk_...\", timestamp=\"<unix seconds>\", signature=\"sha256=<hex>\"");
    }
}
