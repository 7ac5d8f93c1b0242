package dev.weft.platform.auth;

import dev.weft.platform.tenancy.RequestPrincipal;

import java.util.Optional;

/**
 * One way of proving who calls (access token, API key, signed request). The authentication
 * filter asks each verifier in turn; the first that recognises the credential decides.
 */
public interface CredentialVerifier {

    /**
     * @return empty when this verifier does not handle this kind of credential; a principal
     * when it does and the credential is good. A recognised but bad credential throws an
     * {@link dev.weft.platform.error.ApiException} (401).
     */
    Optional<RequestPrincipal> verify(IncomingRequest request);
}
