package dev.weft.platform.auth;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The credential one Weft service presents to another's {@code /internal/} endpoints when it acts for an org with no
 * user present: {@code Authorization: Weft-Internal <weft.platform.internal-token>}, {@value #ORG_HEADER} naming the
 * org and {@value #CALLER_HEADER} the calling service. It becomes {@code SystemPrincipal.of(org, "system:<caller>")}.
 *
 * <p>Only on internal endpoints: the same token on a public path is refused outright (401), so a leaked token cannot act
 * as every org through the public API. The token is compared as a SHA-256 digest in constant time (leaking neither
 * content nor length).
 */
@ApplicationScoped
public class InternalCredentialVerifier implements CredentialVerifier {
    public static final String SCHEME = "Weft-Internal";
    public static final String ORG_HEADER = "X-Weft-Org";
    public static final String CALLER_HEADER = "X-Weft-Caller";
    private static final Pattern CALLER = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    private final Optional<byte[]> expected;

    public InternalCredentialVerifier(PlatformConfig config) {
        this.expected = config.internalToken().map(String::trim).filter(t -> !t.isEmpty()).map(InternalCredentialVerifier::sha256);
    }

    @Override
    public Optional<RequestPrincipal> verify(IncomingRequest request) {
        String authorization = request.authorization();
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || authorization.length() > SCHEME.length() && authorization.charAt(SCHEME.length()) != ' ') {
            return Optional.empty();
        }
        if (!request.internalEndpoint()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "The internal credential is accepted only by internal endpoints");
        }
        byte[] presented = sha256(authorization.substring(SCHEME.length()).trim());
        if (expected.isEmpty() || !MessageDigest.isEqual(presented, expected.get())) {
            Log.warnf("event=internal_credential_refused path=%s caller=%s", request.pathAndQuery(), safe(request.headers().get(CALLER_HEADER)));
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Invalid internal credential");
        }
        String org = request.headers().get(ORG_HEADER);
        if (org == null || TypeId.parse("org", org.trim()).isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "An internal call names its org in " + ORG_HEADER);
        }
        String caller = request.headers().get(CALLER_HEADER);
        if (caller == null || !CALLER.matcher(caller.trim()).matches()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "An internal call names its service in " + CALLER_HEADER);
        }
        return Optional.of(SystemPrincipal.of(org.trim(), "system:" + caller.trim()));
    }

    private static String safe(String value) {
        return value == null ? "-" : value.replaceAll("[^A-Za-z0-9_.-]", "").substring(0, Math.min(64, value.replaceAll("[^A-Za-z0-9_.-]", "").length()));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
