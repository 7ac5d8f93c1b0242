package dev.weft.auth.token;

import com.nimbusds.jwt.SignedJWT;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.CurrentPrincipal;
import dev.weft.platform.tenancy.RequestPrincipal;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

import java.text.ParseException;

/**
 * auth-service refuses a revoked access token at once (other services verify JWTs locally and
 * learn of a revocation through introspection). Runs right after authentication, when the token's
 * signature has already been checked, so reading its jti unverified here is safe.
 */
@Provider
@Priority(Priorities.AUTHENTICATION + 1)
public class RevokedTokenFilter implements ContainerRequestFilter {
    private final CurrentPrincipal principal;
    private final RevokedAccessTokens revoked;

    public RevokedTokenFilter(CurrentPrincipal principal, RevokedAccessTokens revoked) {
        this.principal = principal;
        this.revoked = revoked;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        RequestPrincipal caller = principal.get();
        if (caller == null || caller.credentialType() != RequestPrincipal.CredentialType.ACCESS_TOKEN) {
            return;
        }
        String authorization = request.getHeaderString("Authorization");
        try {
            String jti = SignedJWT.parse(authorization.substring("Bearer ".length()).trim()).getJWTClaimsSet().getJWTID();
            if (revoked.isRevoked(jti)) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token has been revoked");
            }
        } catch (ParseException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Access token is malformed or its signature does not verify");
        }
    }
}
