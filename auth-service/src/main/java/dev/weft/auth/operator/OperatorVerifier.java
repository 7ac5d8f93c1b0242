package dev.weft.auth.operator;

import dev.weft.auth.AuthConfig;
import dev.weft.platform.auth.CredentialVerifier;
import dev.weft.platform.auth.IncomingRequest;
import dev.weft.platform.tenancy.RequestPrincipal;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises the bootstrap operator credential, {@code Authorization: Bearer <weft.auth.operator-token>}.
 * Anything else is left to the other verifiers, so the order verifiers run in does not matter.
 */
@ApplicationScoped
public class OperatorVerifier implements CredentialVerifier {
    public static final String OPERATOR_SCOPE = "operator";
    /** Not an org: tenant-scoped queries made as the operator match no row. */
    public static final String OPERATOR_ORG = "org_operator";
    private static final String BEARER = "Bearer ";

    private final Optional<byte[]> expectedHash;

    public OperatorVerifier(AuthConfig config) {
        this.expectedHash = config.operatorToken().filter(t -> !t.isBlank()).map(OperatorVerifier::sha256);
    }

    @Override
    public Optional<RequestPrincipal> verify(IncomingRequest request) {
        String authorization = request.authorization();
        if (expectedHash.isEmpty() || authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        // Comparing fixed-length digests in constant time leaks neither content nor length.
        byte[] presented = sha256(authorization.substring(BEARER.length()).trim());
        if (!MessageDigest.isEqual(presented, expectedHash.get())) {
            return Optional.empty();
        }
        return Optional.of(principal());
    }

    public static RequestPrincipal principal() {
        return new RequestPrincipal(OPERATOR_ORG, Set.of(OPERATOR_SCOPE), "operator", RequestPrincipal.CredentialType.OPERATOR);
    }

    public static boolean isOperator(RequestPrincipal principal) {
        return principal != null && principal.credentialType() == RequestPrincipal.CredentialType.OPERATOR;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
